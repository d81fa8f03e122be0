"""SMS login: codes hashed and expiring, limits per phone and per IP, lockout; WeChat."""

import re

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tickets.customer_api import login
from tickets.models import Customer, CustomerIdentity

pytestmark = pytest.mark.django_db
PHONE = "13712345678"


def _send(client, phone=PHONE, ip="10.0.0.1"):
    return client.post("/api/customer/auth/sms/code/", {"phone": phone}, format="json",
                       REMOTE_ADDR=ip)


def _login(client, code, phone=PHONE, ip="10.0.0.1"):
    return client.post("/api/customer/auth/sms/login/", {"phone": phone, "code": code},
                       format="json", REMOTE_ADDR=ip)


def _code(outbox, phone=PHONE):
    sent = [m for m in outbox if m["recipient"] == phone]
    return re.search(r"\d{6}", sent[-1]["body"]).group()


def test_first_login_creates_the_customer_and_returns_a_working_token(roles, outbox):
    client = APIClient()
    response = _send(client, "+86 137-1234-5678")
    assert response.status_code == 200
    assert response.json() == {"expires_in": 300, "resend_in": 60}
    assert outbox[-1]["channel"] == "sms" and "登录验证码" in outbox[-1]["body"]
    response = _login(client, _code(outbox))
    assert response.status_code == 200
    body = response.json()
    assert body["created"] is True and body["customer"]["phone"] == PHONE
    customer = Customer.objects.get(phone=PHONE)
    assert Token.objects.get(user=customer.user).key == body["token"]
    me = APIClient(HTTP_AUTHORIZATION=f"Token {body['token']}").get("/api/customer/me/")
    assert me.status_code == 200 and me.json()["phone"] == PHONE
    # A code works once.
    again = _login(client, _code(outbox))
    assert again.status_code == 400 and again.json()["code"] == "code_expired"


def test_code_is_stored_hashed_only(roles, outbox):
    _send(APIClient())
    code = _code(outbox)
    entry = cache.get(f"pd:custlogin:code:{PHONE}")
    assert code not in repr(entry)
    assert set(entry) == {"hash", "expires"}


def test_expired_code_is_refused(roles, outbox, monkeypatch):
    client = APIClient()
    _send(client)
    code = _code(outbox)
    now = login._now()
    monkeypatch.setattr(login, "_now", lambda: now + 301)
    response = _login(client, code)
    assert response.status_code == 400
    assert response.json()["code"] == "code_expired"
    assert response.json()["detail"] == "验证码已过期或未发送，请重新获取。"


def test_resend_cool_down_and_hourly_cap_per_phone(roles, outbox, settings, monkeypatch):
    client = APIClient()
    assert _send(client).status_code == 200
    response = _send(client)
    assert response.status_code == 429
    assert response.json()["code"] == "sms_rate_limited"
    assert 0 < response.json()["retry_after"] <= 60
    settings.CUSTOMER_SMS_RESEND_SECONDS = 0  # only the hourly cap is left
    settings.CUSTOMER_SMS_PER_PHONE_HOUR = 3
    monkeypatch.setattr(login.cache, "add", _add_without_cool_down(login.cache.add))
    assert [_send(client).status_code for _ in range(3)] == [200, 200, 429]
    assert len([m for m in outbox if m["recipient"] == PHONE]) == 3
    # Another phone is not affected.
    assert _send(client, "13712345679").status_code == 200


def _add_without_cool_down(add):
    def wrapped(key, value, timeout=None):
        if ":cool:" in key:
            return True
        return add(key, value, timeout)
    return wrapped


def test_per_ip_cap_across_phones(roles, outbox, settings):
    settings.CUSTOMER_SMS_PER_IP_HOUR = 3
    client = APIClient()
    codes = [_send(client, f"1371234560{i}", ip="10.9.9.9").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _send(client, "13712345609", ip="10.9.9.8").status_code == 200


def test_wrong_codes_lock_the_phone(roles, outbox, settings):
    settings.CUSTOMER_LOGIN_MAX_TRIES = 3
    client = APIClient()
    _send(client)
    code = _code(outbox)
    wrong = "000000" if code != "000000" else "111111"
    first = _login(client, wrong)
    assert first.status_code == 400
    assert first.json()["code"] == "code_invalid" and first.json()["tries_left"] == 2
    assert _login(client, wrong).json()["tries_left"] == 1
    locked = _login(client, wrong)
    assert locked.status_code == 429 and locked.json()["code"] == "login_locked"
    # Even the right code is refused now, and no new code can be asked for.
    assert _login(client, code).json()["code"] == "login_locked"
    assert _send(client).json()["code"] == "login_locked"
    assert not Customer.objects.filter(phone=PHONE).exists()


def test_lock_expires(roles, outbox, settings, monkeypatch):
    settings.CUSTOMER_LOGIN_MAX_TRIES = 1
    client = APIClient()
    _send(client)
    assert _login(client, "999999" if _code(outbox) != "999999" else "111111").status_code == 429
    now = login._now()
    monkeypatch.setattr(login, "_now", lambda: now + settings.CUSTOMER_LOGIN_LOCK_SECONDS + 1)
    settings.CUSTOMER_SMS_RESEND_SECONDS = 1
    cache.delete(f"pd:custlogin:cool:{PHONE}")
    assert _send(client).status_code == 200
    assert _login(client, _code(outbox)).status_code == 200


def test_wrong_codes_from_one_ip_across_phones_lock_that_ip(roles, outbox, settings):
    settings.CUSTOMER_LOGIN_FAILURES_PER_IP_HOUR = 2
    client = APIClient()
    for i in range(2):
        _send(client, f"1361111000{i}", ip="10.1.1.1")
        _login(client, "abcdef", phone=f"1361111000{i}", ip="10.1.1.1")
    _send(client, "13611110009", ip="10.1.1.2")
    response = _login(client, _code(outbox, "13611110009"), phone="13611110009", ip="10.1.1.1")
    assert response.status_code == 429 and response.json()["code"] == "login_locked"


def test_bad_phone_is_a_clear_400(roles):
    response = _send(APIClient(), "12345")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_phone"
    response = APIClient().post("/api/customer/auth/sms/code/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "phone" in response.json()["errors"]


def test_sms_backend_failure_is_503_and_drops_the_code(roles, settings):
    settings.NOTIFICATION_BACKENDS = {**settings.NOTIFICATION_BACKENDS,
                                      "sms": "tests.customer.test_login.FailingBackend"}
    response = _send(APIClient())
    assert response.status_code == 503 and response.json()["code"] == "sms_unavailable"
    assert cache.get(f"pd:custlogin:code:{PHONE}") is None


class FailingBackend:
    def send(self, notification):
        raise ConnectionError("gateway down")


def test_logout_revokes_the_token(roles, outbox):
    client = APIClient()
    _send(client)
    token = _login(client, _code(outbox)).json()["token"]
    authed = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert authed.post("/api/customer/auth/logout/").status_code == 204
    assert authed.get("/api/customer/me/").status_code == 401


def test_auth_endpoints_are_throttled_per_ip(roles, settings):
    settings.CUSTOMER_THROTTLE_RATES = {**settings.CUSTOMER_THROTTLE_RATES,
                                        "customer_auth_ip": "2/min"}
    client = APIClient()
    codes = [_login(client, "123456", ip="10.7.7.7").status_code for _ in range(3)]
    assert codes[2] == 429
    assert client.post("/api/customer/auth/sms/login/", {}, REMOTE_ADDR="10.7.7.7"
                       ).json()["code"] == "throttled"


# --- WeChat ---
def _wechat(client, **data):
    return client.post("/api/customer/auth/wechat/login/", data, format="json")


def test_wechat_first_login_links_the_phone_then_signs_in_by_code_alone(roles, outbox):
    client = APIClient()
    response = _wechat(client, code="wx-code-1")
    assert response.status_code == 400 and response.json()["code"] == "wechat_not_linked"
    _send(client)
    linked = _wechat(client, code="wx-code-1", phone=PHONE, sms_code=_code(outbox))
    assert linked.status_code == 200 and linked.json()["created"] is True
    identity = CustomerIdentity.objects.get()
    assert identity.provider == "wechat" and identity.customer.phone == PHONE
    again = _wechat(client, code="wx-code-1")
    assert again.status_code == 200
    assert again.json()["token"] == linked.json()["token"]
    assert again.json()["created"] is False


def test_wechat_invalid_code_and_outage(roles):
    assert _wechat(APIClient(), code="invalid-x").json()["code"] == "wechat_code_invalid"
    down = _wechat(APIClient(), code="down-x")
    assert down.status_code == 503 and down.json()["code"] == "wechat_unavailable"


def test_http_wechat_client_has_a_timeout_and_reports_unreachable(settings, monkeypatch):
    from tickets.customer_api import wechat

    settings.WECHAT_APPID, settings.WECHAT_SECRET = "wxappid", "secret"
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens
    seen = {}
    real_get = wechat.requests.get

    def get(url, **kwargs):
        seen.update(kwargs)
        return real_get(url, **kwargs)

    monkeypatch.setattr(wechat.requests, "get", get)
    with pytest.raises(wechat.WeChatError) as error:
        wechat.HttpWeChatClient().code2session("abc")
    assert error.value.kind == "unavailable"
    assert seen["timeout"] == settings.CUSTOMER_WECHAT_TIMEOUT
    assert seen["params"]["js_code"] == "abc"
    assert seen["params"]["grant_type"] == "authorization_code"


def test_a_forged_forwarded_for_header_does_not_reset_the_ip_limit(roles, outbox, settings):
    settings.CUSTOMER_SMS_PER_IP_HOUR = 1
    client = APIClient()
    assert _send(client, "13712345601", ip="10.3.3.3").status_code == 200
    forged = client.post("/api/customer/auth/sms/code/", {"phone": "13712345602"},
                         format="json", REMOTE_ADDR="10.3.3.3", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert forged.status_code == 429
