"""Notification backends. `send(notification)` returns on success and raises on failure; the
outbox (tickets/actions/notify.py) owns retries. Every HTTP call has a timeout."""

import base64
import hashlib
import hmac
import logging
import time
import urllib.parse

import requests
from django.conf import settings

from config.masking import mask_phone, mask_text

logger = logging.getLogger("parceldesk.notifications")


class BaseBackend:
    def send(self, notification) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Development: writes the message to the log, phone numbers masked."""

    def send(self, notification) -> None:
        recipient = notification.recipient
        logger.info("[%s → %s] %s", notification.channel,
                    mask_phone(recipient) if recipient.isdigit() else recipient,
                    mask_text(notification.body))


outbox: list = []


class LocmemBackend(BaseBackend):
    """Tests: keeps what was sent in `outbox`."""

    def send(self, notification) -> None:
        outbox.append({"channel": notification.channel, "recipient": notification.recipient,
                       "subject": notification.subject, "body": notification.body,
                       "payload": notification.payload})


class RobotError(Exception):
    pass


def _post_robot(url: str, content: str) -> None:
    # Both WeCom and DingTalk group robots take {"msgtype": "text", "text": {"content"}} and
    # answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; a non-zero errcode is a failure.
    response = requests.post(url, json={"msgtype": "text", "text": {"content": content}},
                             timeout=settings.NOTIFY_HTTP_TIMEOUT)
    response.raise_for_status()
    body = response.json()
    if body.get("errcode", 0) != 0:
        raise RobotError(f"errcode {body.get('errcode')}: {body.get('errmsg')}")


class WeComRobotBackend(BaseBackend):
    """企业微信群机器人 webhook (WECOM_ROBOT_URL). Customer data is masked: the group is shared."""

    def send(self, notification) -> None:
        if not settings.WECOM_ROBOT_URL:
            raise RobotError("WECOM_ROBOT_URL is not set")
        _post_robot(settings.WECOM_ROBOT_URL, _robot_text(notification))


class DingTalkRobotBackend(BaseBackend):
    """钉钉自定义机器人 with 加签: sign = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")),
    timestamp in milliseconds, both added to the webhook URL's query."""

    def send(self, notification) -> None:
        if not settings.DINGTALK_ROBOT_URL:
            raise RobotError("DINGTALK_ROBOT_URL is not set")
        url = settings.DINGTALK_ROBOT_URL
        secret = settings.DINGTALK_ROBOT_SECRET
        if secret:
            timestamp = str(round(time.time() * 1000))
            digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                              hashlib.sha256).digest()
            sign = urllib.parse.quote_plus(base64.b64encode(digest))
            url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={sign}"
        _post_robot(url, _robot_text(notification))


def _robot_text(notification) -> str:
    text = mask_text(notification.body)
    return f"{notification.subject}\n{text}" if notification.subject else text


class HttpSmsGatewayBackend(BaseBackend):
    """An SMS gateway over HTTP (SMS_GATEWAY_URL): POST JSON {"phone", "text", "sign_name"},
    signed with X-Signature = hex(HMAC-SHA256(SMS_GATEWAY_SECRET, body)); any 2xx is accepted.
    The provider's own API (Aliyun, Tencent Cloud) sits behind the gateway."""

    def send(self, notification) -> None:
        import json

        if not settings.SMS_GATEWAY_URL:
            raise RuntimeError("SMS_GATEWAY_URL is not set")
        body = json.dumps({"phone": notification.recipient, "text": notification.body,
                           "sign_name": settings.SMS_SIGN_NAME}, ensure_ascii=False).encode()
        signature = hmac.new(settings.SMS_GATEWAY_SECRET.encode(), body,
                             hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Signature": signature}
        response = requests.post(settings.SMS_GATEWAY_URL, data=body, headers=headers,
                                 timeout=settings.NOTIFY_HTTP_TIMEOUT)
        response.raise_for_status()


class WeChatSubscribeBackend(BaseBackend):
    """微信小程序订阅消息: POST {api}/cgi-bin/message/subscribe/send?access_token=…
    with {"touser": openid, "template_id", "page", "data": {key: {"value"}}}; the access token
    comes from {api}/cgi-bin/token (client_credential) and is cached for its `expires_in` less a
    margin. The recipient is the customer's openid; `payload` carries template_id and data."""

    def send(self, notification) -> None:
        from django.core.cache import cache

        if not (settings.WECHAT_APPID and settings.WECHAT_SECRET):
            raise RuntimeError("WECHAT_APPID / WECHAT_SECRET are not set")
        key = f"wechat:access_token:{settings.WECHAT_APPID}"
        token = cache.get(key)
        if token is None:
            response = requests.get(f"{settings.WECHAT_API_BASE}/cgi-bin/token", params={
                "grant_type": "client_credential", "appid": settings.WECHAT_APPID,
                "secret": settings.WECHAT_SECRET}, timeout=settings.NOTIFY_HTTP_TIMEOUT)
            response.raise_for_status()
            answer = response.json()
            if "access_token" not in answer:
                raise RobotError(f"token errcode {answer.get('errcode')}: {answer.get('errmsg')}")
            token = answer["access_token"]
            cache.set(key, token, max(int(answer.get("expires_in", 7200)) - 300, 60))
        payload = notification.payload or {}
        message = {"touser": notification.recipient,
                   "template_id": payload.get("template_id", settings.WECHAT_DEFAULT_TEMPLATE),
                   "page": payload.get("page", ""),
                   "data": payload.get("data") or {"thing1": {"value": notification.body[:20]}}}
        response = requests.post(f"{settings.WECHAT_API_BASE}/cgi-bin/message/subscribe/send",
                                 params={"access_token": token}, json=message,
                                 timeout=settings.NOTIFY_HTTP_TIMEOUT)
        response.raise_for_status()
        answer = response.json()
        if answer.get("errcode", 0) != 0:
            if answer.get("errcode") in (40001, 42001):  # token invalid or expired: refetch
                cache.delete(key)
            raise RobotError(f"errcode {answer.get('errcode')}: {answer.get('errmsg')}")
