"""Polling sources that do not push, and subscribing numbers at sources that do.

Both run from Celery tasks, outside any transaction: the HTTP call comes first, then the
answer goes through the same archive → parse → store path as a webhook push.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from logistics import outbound
from logistics.actions.ingest import check_ingest_payload
from logistics.actions.sources import (
    PUSH_SOURCES,
    credentials,
    poll_source_for,
    source_carrier_code,
    source_rows,
)
from logistics.adapters import HttpRequest, get_source
from logistics.choices import FINAL_STATUSES, PayloadChannel, Subscription
from logistics.models import Shipment, TrackingSource

logger = logging.getLogger(__name__)


@dataclass
class PollOutcome:
    shipment_id: int
    source: str = ""
    status: str = ""  # polled, skipped_requery, rate_limited, no_source, failed, gone
    payload_id: int | None = None
    events_stored: int = 0
    error: str = ""


def do_poll_shipment(shipment_id: int, *, source: str | None = None) -> PollOutcome:
    """Queries one shipment at its source, within the source's quotas."""
    outcome = PollOutcome(shipment_id)
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None:
        outcome.status = "gone"
        return outcome
    rows = source_rows()
    source = source or poll_source_for(shipment, rows)
    creds = credentials(source) if source else None
    if not source or creds is None:
        outcome.status = "no_source"
        return outcome
    outcome.source = source
    row = rows.get(source) or TrackingSource(code=source)
    if not outbound.acquire_rate(source, row.max_requests_per_second):
        outcome.status = "rate_limited"
        return outcome
    if not outbound.acquire_requery(source, shipment.tracking_number, row.min_requery_minutes):
        outcome.status = "skipped_requery"
        return outcome
    carrier = source_carrier_code(source, shipment.carrier)
    request = get_source(source).query_request(
        shipment.tracking_number, carrier, {**creds, "phone": shipment.recipient_phone,
                                            "check_phone": shipment.recipient_phone})
    Shipment.objects.filter(pk=shipment.pk).update(last_polled_at=timezone.now())
    try:
        _status, headers, body = outbound.send(source, request)
    except outbound.SourceHttpError as exc:
        outcome.status, outcome.error = "failed", str(exc)
        logger.warning("polling %s at %s failed: %s", shipment.tracking_number, source, exc)
        raise
    result = check_ingest_payload(source_code=source, body=body, channel=PayloadChannel.POLL,
                                  headers={"content-type": headers.get("Content-Type", "")})
    outcome.payload_id, outcome.events_stored = result.payload_id, result.events_stored
    outcome.status = "polled" if result.ok else "failed"
    outcome.error = result.error
    return outcome


def due_for_polling(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Live shipments without a push subscription whose last poll is older than the
    interval of the source that would poll them."""
    now = now or timezone.now()
    rows = source_rows()
    intervals = [r.poll_interval_minutes for r in rows.values()
                 if r.active and r.polling_enabled and credentials(r.code)]
    if not intervals:
        return []
    cutoff = now - timedelta(minutes=min(intervals))
    candidates = (Shipment.objects.exclude(status__in=FINAL_STATUSES)
                  .exclude(subscription=Subscription.SUBSCRIBED)
                  .filter(Q(last_polled_at__isnull=True) | Q(last_polled_at__lt=cutoff))
                  .order_by("last_polled_at", "id")
                  .only("id", "carrier", "last_polled_at")[:limit * 2])
    due = []
    for shipment in candidates:
        source = poll_source_for(shipment, rows)
        if source is None:
            continue
        interval = timedelta(minutes=rows[source].poll_interval_minutes)
        if shipment.last_polled_at is None or shipment.last_polled_at <= now - interval:
            due.append(shipment.pk)
        if len(due) >= limit:
            break
    return due


# ------------------------------------------------------------------ push subscriptions

def _subscribe_request(source: str, shipment: Shipment, creds: dict) -> HttpRequest:
    carrier = source_carrier_code(source, shipment.carrier)
    if source == "kuaidi100":
        # poll.kuaidi100.com/poll, schema=json (kuaidi100 subscription API)
        callback = (settings.LOGISTICS_CALLBACK_BASE.rstrip("/")
                    + "/api/logistics/webhooks/kuaidi100/")
        param = json.dumps({"company": carrier, "number": shipment.tracking_number,
                            "key": creds["key"],
                            "parameters": {"callbackurl": callback,
                                           "salt": settings.KUAIDI100_SALT, "resultv2": "4",
                                           "phone": shipment.recipient_phone}},
                           ensure_ascii=False, separators=(",", ":"))
        return HttpRequest("POST", "https://poll.kuaidi100.com/poll",
                           {"Content-Type": "application/x-www-form-urlencoded"},
                           urlencode({"schema": "json", "param": param}).encode())
    # 17TRACK register (v2.2); the webhook URL is set once in the 17TRACK console.
    item: dict = {"number": shipment.tracking_number}
    if carrier.isdigit():
        item["carrier"] = int(carrier)
    return HttpRequest("POST", "https://api.17track.net/track/v2.2/register",
                       {"17token": creds["token"], "Content-Type": "application/json"},
                       json.dumps([item]).encode())


def _accepted(source: str, body: bytes) -> tuple[bool, str]:
    try:
        data = json.loads(body)
    except ValueError:
        return False, "unreadable answer"
    if source == "kuaidi100":
        code = str(data.get("returnCode", ""))
        # 200 submitted; 501 already subscribed (kuaidi100 return codes)
        return code in ("200", "501"), f"{code} {data.get('message', '')}".strip()
    accepted = (data.get("data") or {}).get("accepted") or []
    rejected = (data.get("data") or {}).get("rejected") or []
    already = any((r.get("error") or {}).get("code") == -18019901 for r in rejected)
    return bool(accepted) or already, f"code {data.get('code')}"


def _push_source(shipment: Shipment) -> tuple[str, dict] | tuple[None, None]:
    rows = source_rows()
    for code in PUSH_SOURCES:
        row = rows.get(code)
        if row is not None and not row.active:
            continue
        if code == "kuaidi100" and not (settings.KUAIDI100_KEY and settings.KUAIDI100_SALT
                                        and settings.LOGISTICS_CALLBACK_BASE):
            continue
        creds = credentials(code) if code != "kuaidi100" else {"key": settings.KUAIDI100_KEY}
        if code == "17track" and not settings.TRACK17_SECURITY_KEY:
            continue
        if creds:
            return code, creds
    return None, None


def do_subscribe_shipment(shipment_id: int) -> str:
    """Asks a push source to watch the number; with no credentials, records that (no I/O)."""
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None:
        return "gone"
    if shipment.subscription == Subscription.SUBSCRIBED:
        return Subscription.SUBSCRIBED
    source, creds = _push_source(shipment)
    if source is None:
        _set_subscription(shipment, Subscription.NOT_SUBSCRIBED,
                          "no push source has credentials configured")
        return Subscription.NOT_SUBSCRIBED
    try:
        _status, _headers, body = outbound.send(source, _subscribe_request(source, shipment, creds))
    except outbound.SourceHttpError as exc:
        _set_subscription(shipment, Subscription.FAILED, str(exc)[:200])
        raise
    ok, note = _accepted(source, body)
    state = Subscription.SUBSCRIBED if ok else Subscription.FAILED
    _set_subscription(shipment, state, f"{source}: {note}"[:200])
    return state


def _set_subscription(shipment: Shipment, state: str, note: str) -> None:
    Shipment.objects.filter(pk=shipment.pk).update(subscription=state, subscription_note=note,
                                                   updated_at=timezone.now())


def do_request_polls(shipment_ids: list[int]) -> int:
    """Queues one poll per shipment (after commit); the task applies the quotas."""
    from config.effects import enqueue_on_commit
    from logistics.tasks import poll_shipment

    for shipment_id in shipment_ids:
        enqueue_on_commit(poll_shipment, shipment_id=shipment_id)
    return len(shipment_ids)
