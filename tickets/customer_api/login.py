"""Customer sign-in: SMS codes and outside logins (WeChat) behind one small interface.

SMS codes live only in the cache (Redis in production), as an HMAC of phone and code keyed by
SECRET_KEY, and expire. Sending is limited per phone (a cool-down and an hourly cap) and per IP;
wrong codes count per phone and per IP and lock the phone for a while once they reach the cap.
The message goes through the notification backend of the SMS channel (console log in
development, the in-memory outbox in tests, the gateway in production) straight away, never
through the outbox table: the code must not be stored readable.
"""

import logging
import secrets
import time
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from config.errors import DomainError
from config.masking import mask_phone
from tickets.actions.create import normalize_phone
from tickets.customer_api.wechat import WeChatError, get_client
from tickets.models import Customer
from tickets.notifications import get_backend

logger = logging.getLogger("parceldesk.customer.login")
_now = time.time  # tests move the clock through this
_PREFIX = "pd:custlogin"


class LoginError(DomainError):
    pass


def _too_many(detail: str, code: str, retry_after: int) -> LoginError:
    return LoginError(detail, code=code, status=429,
                      extra={"retry_after": max(int(retry_after), 1)})


def _hit(key: str, window: int) -> int:
    """Counts one event in a fixed window; returns the count so far (atomic on Redis)."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _digest(phone: str, code: str) -> str:
    return salted_hmac("parceldesk.customer.sms-code", f"{phone}:{code}").hexdigest()


def _lock_key(phone: str) -> str:
    return f"{_PREFIX}:lock:{phone}"


def _check_not_locked(phone: str, ip: str) -> None:
    until = cache.get(_lock_key(phone))
    if until and until > _now():
        raise _too_many(_("Too many wrong codes. Try again later."), "login_locked",
                        until - _now())
    failures = cache.get(f"{_PREFIX}:ipfail:{ip}") or 0
    if failures >= settings.CUSTOMER_LOGIN_FAILURES_PER_IP_HOUR:
        raise _too_many(_("Too many wrong codes. Try again later."), "login_locked", 3600)


def send_login_code(raw_phone: str, *, ip: str) -> dict:
    """Sends a 6-digit code to the phone; 429 `sms_rate_limited` / `login_locked`, 503
    `sms_unavailable` when the SMS backend fails. Returns the seconds until expiry and resend."""
    phone = normalize_phone(raw_phone)
    _check_not_locked(phone, ip)
    if _hit(f"{_PREFIX}:ipsend:{ip}", 3600) > settings.CUSTOMER_SMS_PER_IP_HOUR:
        raise _too_many(_("Too many codes were requested from this network. Try again later."),
                        "sms_rate_limited", 3600)
    resend = settings.CUSTOMER_SMS_RESEND_SECONDS
    if not cache.add(f"{_PREFIX}:cool:{phone}", _now() + resend, resend):
        wait = (cache.get(f"{_PREFIX}:cool:{phone}") or _now() + resend) - _now()
        raise _too_many(_("A code was just sent. Wait a moment before asking again."),
                        "sms_rate_limited", wait)
    if _hit(f"{_PREFIX}:phsend:{phone}", 3600) > settings.CUSTOMER_SMS_PER_PHONE_HOUR:
        raise _too_many(_("Too many codes were requested for this number. Try again later."),
                        "sms_rate_limited", 3600)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    ttl = settings.CUSTOMER_SMS_CODE_TTL
    cache.set(f"{_PREFIX}:code:{phone}", {"hash": _digest(phone, code), "expires": _now() + ttl},
              ttl)
    message = SimpleNamespace(
        channel=settings.CUSTOMER_SMS_CHANNEL, recipient=phone, subject="", ticket=None,
        body=_("Your ParcelDesk login code is %(code)s, valid for %(minutes)d minutes. "
               "Do not share it.") % {"code": code, "minutes": max(ttl // 60, 1)},
        payload={"kind": "login_code"})
    try:
        get_backend(settings.CUSTOMER_SMS_CHANNEL).send(message)
    except Exception as exc:  # any backend failure: the code is useless, drop it
        cache.delete(f"{_PREFIX}:code:{phone}")
        cache.delete(f"{_PREFIX}:cool:{phone}")
        logger.warning("login code to %s not sent: %s", mask_phone(phone),
                       exc.__class__.__name__)
        raise LoginError(_("The SMS could not be sent. Try again shortly."),
                         code="sms_unavailable", status=503)
    logger.info("login code sent to %s", mask_phone(phone))
    return {"expires_in": ttl, "resend_in": resend}


def verify_login_code(raw_phone: str, code: str, *, ip: str) -> str:
    """The normalised phone when `code` is its current code; the code is then used up.
    400 `code_expired` / `code_invalid`, 429 `login_locked` after too many wrong codes."""
    phone = normalize_phone(raw_phone)
    _check_not_locked(phone, ip)
    key = f"{_PREFIX}:code:{phone}"
    entry = cache.get(key)
    if entry is None or entry["expires"] <= _now():
        cache.delete(key)
        raise LoginError(_("The code has expired or was never sent. Ask for a new one."),
                         code="code_expired")
    if not constant_time_compare(entry["hash"], _digest(phone, (code or "").strip())):
        window = settings.CUSTOMER_LOGIN_LOCK_SECONDS
        failures = _hit(f"{_PREFIX}:fail:{phone}", window)
        _hit(f"{_PREFIX}:ipfail:{ip}", 3600)
        logger.info("wrong login code for %s (%d)", mask_phone(phone), failures)
        if failures >= settings.CUSTOMER_LOGIN_MAX_TRIES:
            cache.delete(key)
            cache.delete(f"{_PREFIX}:fail:{phone}")
            cache.set(_lock_key(phone), _now() + window, window)
            logger.warning("login locked for %s", mask_phone(phone))
            raise _too_many(_("Too many wrong codes. Try again later."), "login_locked", window)
        raise LoginError(_("The code is not correct."), code="code_invalid",
                         extra={"tries_left": settings.CUSTOMER_LOGIN_MAX_TRIES - failures})
    cache.delete(key)
    cache.delete(f"{_PREFIX}:fail:{phone}")
    return phone


# --- login backends: each turns what the client sent into a customer (created when new) ---
@dataclass(frozen=True)
class LoginResult:
    customer: Customer
    created: bool


class LoginBackend:
    name = ""

    def authenticate(self, data: dict, *, ip: str) -> LoginResult:
        raise NotImplementedError


_BACKENDS: dict[str, LoginBackend] = {}


def register_login(cls):
    _BACKENDS[cls.name] = cls()
    return cls


def get_login_backend(name: str) -> LoginBackend:
    return _BACKENDS[name]


@register_login
class SmsLoginBackend(LoginBackend):
    """{"phone", "code"}: the code sent by send_login_code."""

    name = "sms"

    def authenticate(self, data, *, ip):
        from tickets.actions.customer import do_ensure_customer_login

        phone = verify_login_code(data["phone"], data["code"], ip=ip)
        return LoginResult(*do_ensure_customer_login(phone))


@register_login
class WeChatLoginBackend(LoginBackend):
    """{"code"} from wx.login(); an openid seen before signs its customer in. A new openid
    needs the phone verified once ({"phone", "sms_code"} as well) and is then linked to it."""

    name = "wechat"
    provider = "wechat"

    def authenticate(self, data, *, ip):
        from tickets.actions.customer import do_ensure_customer_login, do_link_identity

        try:
            session = get_client().code2session(data["code"])
        except WeChatError as exc:
            logger.warning("code2session failed: %s", exc)
            if exc.kind == "invalid":
                raise LoginError(_("The WeChat login code is invalid or was already used."),
                                 code="wechat_code_invalid")
            raise LoginError(_("WeChat cannot be reached. Try again shortly."),
                             code="wechat_unavailable", status=503)
        customer = Customer.objects.filter(identities__provider=self.provider,
                                           identities__subject=session.openid).first()
        if customer is not None:
            return LoginResult(*do_ensure_customer_login(customer.phone))
        if not (data.get("phone") and data.get("sms_code")):
            raise LoginError(_("This WeChat account is not linked yet: verify your phone "
                               "number once with an SMS code."), code="wechat_not_linked",
                             extra={"fields": ["phone", "sms_code"]})
        phone = verify_login_code(data["phone"], data["sms_code"], ip=ip)
        customer, created = do_ensure_customer_login(phone)
        do_link_identity(customer, provider=self.provider, subject=session.openid)
        return LoginResult(customer, created)
