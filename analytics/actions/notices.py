"""Proactive delay warnings to the customers of an incident's parcels, through the outbox.

One notice per customer (recipient phone) per incident — the outbox's de-duplication key says
so even under concurrent runs — with the incident's compensation (fresh goods: the fresh-goods
template, 优先理赔). Inside quiet hours a notice is queued for the end of them, never dropped.
The outbox records each sent notice in the incident ticket's audit trail; the run that queues
them adds one audit row listing how many went out and how many wait for morning.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.models import AnomalySettings, Incident


def quiet_until(now: datetime, config: AnomalySettings) -> datetime | None:
    """The end of the quiet hours `now` falls in, or None outside them."""
    zone = ZoneInfo(config.quiet_time_zone or "Asia/Shanghai")
    local = now.astimezone(zone)
    start, end, t = config.quiet_start, config.quiet_end, local.time()
    if start == end:
        return None
    inside = (t >= start or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    resume = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if resume <= local:
        resume += timedelta(days=1)
    return resume


def _compensation_text(incident: Incident, goods: set, config: AnomalySettings) -> tuple[str, str]:
    template = None
    if "fresh" in goods and config.fresh_compensation_id:
        template = config.fresh_compensation
    elif incident.compensation_id:
        template = incident.compensation
    if template is None or not template.active:
        return "", ""
    return template.code, template.text


def do_notify_affected_customers(incident: Incident, rows: list[dict], *, now: datetime,
                                 config: AnomalySettings, reason: str = "") -> int:
    """Queues one warning per distinct recipient phone in `rows` (dicts with tracking_number,
    recipient_phone, goods, last_event_at). Caller holds the transaction. Returns how many
    notices were queued."""
    from tickets.actions import do_enqueue_notification, record_event
    from tickets.roles import system_user

    by_phone: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("recipient_phone"):
            by_phone.setdefault(row["recipient_phone"], []).append(row)
    if not by_phone:
        return 0
    defer = quiet_until(now, config)
    queued = 0
    templates: dict[str, int] = {}
    for phone, parcels in sorted(by_phone.items()):
        goods = {g for p in parcels for g in (p.get("goods") or [])}
        code, compensation = _compensation_text(incident, goods, config)
        first = parcels[0]
        numbers = first["tracking_number"] if len(parcels) == 1 else _(
            "%(number)s and %(more)d more") % {"number": first["tracking_number"],
                                                "more": len(parcels) - 1}
        since = timezone.localtime(first["last_event_at"]).strftime("%m-%d %H:%M")
        body = _("Your parcel %(numbers)s has been held at %(location)s since %(since)s "
                 "(%(reason)s). We are handling it as incident %(incident)s and will keep you "
                 "informed.") % {"numbers": numbers, "location": incident.location,
                                 "since": since, "reason": reason or _("delay"),
                                 "incident": incident.ticket.number}
        if compensation:
            body = f"{body}{compensation}"
        do_enqueue_notification(
            channel=config.notice_channel, recipient=phone, subject=_("Delivery delay notice"),
            body=body, ticket=incident.ticket, not_before=defer,
            payload={"kind": "incident_notice", "incident_id": incident.pk,
                     "parcels": [p["tracking_number"] for p in parcels],
                     "compensation": code},
            dedupe_key=f"incident:{incident.pk}:notice:{phone}")
        templates[code or "-"] = templates.get(code or "-", 0) + 1
        queued += 1
    record_event(incident.ticket, "notification", actor=system_user(),
                 note=_("Delay notices queued for %(count)d customers.") % {"count": queued},
                 data={"kind": "incident_notices", "queued": queued,
                       "deferred_until": defer.isoformat() if defer else None,
                       "compensation": templates})
    return queued
