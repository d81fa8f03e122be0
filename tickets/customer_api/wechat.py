"""WeChat mini-program login: `code2session` turns the code from `wx.login()` into an openid.

GET {WECHAT_API_BASE}/sns/jscode2session?appid=…&secret=…&js_code=…&grant_type=
authorization_code answers `{"openid", "session_key", "unionid"?}` or `{"errcode", "errmsg"}`
(40029 invalid code, 40163 code already used, 45011 too frequent, -1 busy). The client is chosen
by settings.CUSTOMER_WECHAT_CLIENT: the HTTP one in production, the fake in tests and offline.
"""

import hashlib
from dataclasses import dataclass
from functools import cache

import requests
from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    unionid: str = ""


class WeChatError(Exception):
    """`invalid`: the code is bad or used (the client's fault); `unavailable`: WeChat is not
    reachable or busy (try again)."""

    def __init__(self, kind: str, message: str = ""):
        super().__init__(message or kind)
        self.kind = kind


_INVALID_CODES = {40029, 40163, 40226}


class HttpWeChatClient:
    def code2session(self, code: str) -> WeChatSession:
        if not (settings.WECHAT_APPID and settings.WECHAT_SECRET):
            raise WeChatError("unavailable", "WECHAT_APPID / WECHAT_SECRET are not set")
        try:
            response = requests.get(
                f"{settings.WECHAT_API_BASE}/sns/jscode2session",
                params={"appid": settings.WECHAT_APPID, "secret": settings.WECHAT_SECRET,
                        "js_code": code, "grant_type": "authorization_code"},
                timeout=settings.CUSTOMER_WECHAT_TIMEOUT)
            response.raise_for_status()
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeChatError("unavailable", f"{exc.__class__.__name__}") from exc
        errcode = answer.get("errcode") or 0
        if errcode in _INVALID_CODES:
            raise WeChatError("invalid", f"errcode {errcode}")
        if errcode or not answer.get("openid"):
            raise WeChatError("unavailable", f"errcode {errcode}: {answer.get('errmsg', '')}")
        return WeChatSession(openid=answer["openid"], unionid=answer.get("unionid", ""))


class FakeWeChatClient:
    """Tests and offline development: the same code always gives the same openid; a code
    starting with `invalid` is refused like errcode 40029, `down` like an unreachable API."""

    def code2session(self, code: str) -> WeChatSession:
        if code.startswith("invalid"):
            raise WeChatError("invalid", "errcode 40029")
        if code.startswith("down"):
            raise WeChatError("unavailable", "fake outage")
        return WeChatSession(openid="o" + hashlib.sha256(code.encode()).hexdigest()[:27])


@cache
def _client(path: str):
    return import_string(path)()


def get_client():
    return _client(settings.CUSTOMER_WECHAT_CLIENT)
