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
