"""Factories and signed payload builders for the logistics tests."""

import hashlib
import json
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import factory

from logistics.actions import event_key
from logistics.models import Shipment, TrackingEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
KUAIDI100_SALT = "pd-test-salt"
KDNIAO_APP_KEY = "pd-test-appkey"
TRACK17_KEY = "pd-test-security-key"
AFTERSHIP_SECRET = "pd-test-webhook-secret"
SF_TOKEN = "pd-test-sf-url-token"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def kuaidi100_push(number: str, events, *, salt: str = KUAIDI100_SALT, com: str = "yuantong",
                   state: str | None = None, monitor: str = "polling") -> bytes:
    """A signed kuaidi100 push; `events` = [(datetime, context, statusCode, location)]."""
    rows = [{"time": f"{t:%Y-%m-%d %H:%M:%S}", "ftime": f"{t:%Y-%m-%d %H:%M:%S}",
             "context": context, "statusCode": code, "location": location}
            for t, context, code, location in sorted(events, key=lambda e: e[0], reverse=True)]
    last_code = rows[0]["statusCode"] if rows else "0"
    param = json.dumps({"status": monitor, "billstatus": "", "message": "", "lastResult": {
        "message": "ok", "nu": number, "ischeck": "1" if (state or last_code)[:1] == "3" else "0",
        "com": com, "status": "200", "condition": "F00", "state": state or last_code,
        "data": rows}}, ensure_ascii=False, separators=(",", ":"))
    sign = hashlib.md5((param + salt).encode()).hexdigest().upper()
    return urlencode({"param": param, "sign": sign}).encode()


def track17_sign(body: bytes, key: str = TRACK17_KEY) -> str:
    return hashlib.sha256(body + b"/" + key.encode()).hexdigest()


def aftership_sign(body: bytes, secret: str = AFTERSHIP_SECRET) -> str:
    import base64
    import hmac

    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment
        django_get_or_create = ("tracking_number",)

    tracking_number = factory.Sequence(lambda n: f"SF1{n:012d}")
    carrier = "sf"


def add_events(shipment: Shipment, steps, *, source: str = "test") -> list[TrackingEvent]:
    """steps = [(datetime, status, location, description)], stored as-is (no snapshot)."""
    rows = [TrackingEvent(shipment=shipment, time=t, status=status, location=location,
                          description=description, source=source,
                          event_key=event_key(t, status, description))
            for t, status, location, description in steps]
    return TrackingEvent.objects.bulk_create(rows)


def trajectory(start: datetime, hours_and_statuses, *, hub: str = "杭州转运中心"):
    """[(hours after start, status)] → steps with plausible Chinese descriptions."""
    texts = {
        "picked_up": "【上海浦东新区公司】已揽收",
        "in_transit": "快件已从【上海转运中心】发出，下一站【{hub}】",
        "arrived_at_hub": "快件已到达【{hub}】",
        "out_for_delivery": "【杭州西湖区营业部】派件员正在派件",
        "delivered": "快件已签收，签收人：本人",
    }
    return [(start + timedelta(hours=h), status, hub if status == "arrived_at_hub" else "",
             texts.get(status, status).format(hub=hub)) for h, status in hours_and_statuses]
