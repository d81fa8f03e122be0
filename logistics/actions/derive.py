"""What a shipment's events imply: current status, last scan, stall flag, ETA.

Pure functions over events plus two small ops tables (stall thresholds, lane transit times),
which are memoised per process for a minute: an edit in admin applies within that minute.
"""

import math
import time as _time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.choices import FINAL_STATUSES, EtaConfidence, StallReason, TrackingStatus

# Defaults when ops have no row for a status (the data migration installs the same rows).
DEFAULT_STALL_HOURS = {
    TrackingStatus.CREATED: 72,
    TrackingStatus.PICKED_UP: 24,
    TrackingStatus.IN_TRANSIT: 24,
    TrackingStatus.ARRIVED_AT_HUB: 24,
    TrackingStatus.CUSTOMS: 48,
    TrackingStatus.OUT_FOR_DELIVERY: 12,
    TrackingStatus.AVAILABLE_FOR_PICKUP: 72,
    TrackingStatus.DELIVERY_FAILED: 24,
    TrackingStatus.EXCEPTION: 24,
}
# Words in the last scan's text that name the cause of a hold-up.
WEATHER_WORDS = ("暴雨", "台风", "暴雪", "大雾", "冰雹", "洪水", "洪涝", "大风", "恶劣天气",
                 "雨雪", "冰冻", "寒潮", "天气原因")
CUSTOMS_WORDS = ("海关", "清关", "报关", "查验")

_MEMO_SECONDS = 60
_memo: dict[str, tuple[float, object]] = {}


def clear_caches() -> None:
    _memo.clear()


def _memoised(name, load):
    hit = _memo.get(name)
    now = _time.monotonic()
    if hit is None or now - hit[0] > _MEMO_SECONDS:
        hit = (now, load())
        _memo[name] = hit
    return hit[1]


def stall_thresholds() -> dict[str, float]:
    """Hours per status; a status whose row is inactive has no threshold."""
    from logistics.models import StallThreshold

    def load():
        table = dict(DEFAULT_STALL_HOURS)
        for row in StallThreshold.objects.all():
            if row.active:
                table[row.status] = row.hours
            else:
                table.pop(row.status, None)
        return table

    return _memoised("thresholds", load)


@dataclass(frozen=True)
class LaneFigure:
    remaining_hours: float
    dwell_hours: float | None
    samples: int


def lane_table() -> dict[tuple[str, str, str, str], LaneFigure]:
    from logistics.models import LaneStat

    def load():
        return {(r.carrier, r.origin, r.destination, r.stage):
                LaneFigure(r.remaining_hours, r.dwell_hours, r.samples)
                for r in LaneStat.objects.all()}

    return _memoised("lanes", load)


def stall_reason(status: str, description: str) -> str:
    if any(word in description for word in WEATHER_WORDS):
        return StallReason.WEATHER
    if status == TrackingStatus.CUSTOMS or any(w in description for w in CUSTOMS_WORDS):
        return StallReason.CUSTOMS
    if status in (TrackingStatus.EXCEPTION, TrackingStatus.DELIVERY_FAILED):
        return StallReason.EXCEPTION
    return StallReason.STUCK


def stall_state(status: str, last_event_at, description: str, now: datetime,
                thresholds: dict | None = None) -> dict:
    """{stalled, stall_reason, stalled_since}: no scan for longer than the status allows."""
    thresholds = stall_thresholds() if thresholds is None else thresholds
    hours = thresholds.get(status)
    if (not last_event_at or status in FINAL_STATUSES or hours is None
            or now - last_event_at < timedelta(hours=hours)):
        return {"stalled": False, "stall_reason": "", "stalled_since": None}
    return {"stalled": True, "stall_reason": stall_reason(status, description),
            "stalled_since": last_event_at}


# ------------------------------------------------------------------------------------ ETA

def _lane_lookup(carrier, origin, destination, stage, lanes):
    """Lane first, then carrier-wide, then global; returns (figure, level) or (None, "")."""
    for level, key in (("lane", (carrier, origin, destination, stage)),
                       ("carrier", (carrier, "", "", stage)),
                       ("global", ("", "", "", stage))):
        if level == "lane" and not (origin and destination):
            continue
        figure = lanes.get(key)
        if figure is not None:
            return figure, level
    return None, ""


def _confidence(level: str, samples: int) -> str:
    if level == "lane" and samples >= 5:
        return EtaConfidence.HIGH
    if (level == "lane" and samples >= 2) or (level == "carrier" and samples >= 5):
        return EtaConfidence.MEDIUM
    return EtaConfidence.LOW


def when_phrase(moment: datetime, now: datetime) -> str:
    """'今晚20点' / '明天(11月24日)18点': the moment rounded up to a full hour, local time."""
    local = timezone.localtime(moment)
    if local.minute or local.second or local.microsecond:
        local = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    days = (local.date() - timezone.localtime(now).date()).days
    date = _("%(month)s/%(day)s") % {"month": local.month, "day": local.day}
    values = {"hour": local.hour, "date": date}
    if days <= 0:
        text = (_("tonight at %(hour)s:00") if local.hour >= 18
                else _("today at %(hour)s:00"))
    elif days == 1:
        text = _("tomorrow (%(date)s) at %(hour)s:00")
    elif days == 2:
        text = _("the day after tomorrow (%(date)s) at %(hour)s:00")
    else:
        text = _("%(date)s at %(hour)s:00")
    return text % values


def estimate(*, carrier: str, origin: str, destination: str, status: str, last_event_at,
             now: datetime, lanes: dict | None = None) -> dict:
    """{eta, eta_confidence, eta_explanation} from the median remaining time on the lane."""
    none = {"eta": None, "eta_confidence": "", "eta_explanation": ""}
    if not status or not last_event_at or status in FINAL_STATUSES:
        return none
    lanes = lane_table() if lanes is None else lanes
    figure, level = _lane_lookup(carrier, origin, destination, status, lanes)
    if figure is None:
        return none
    eta = last_event_at + timedelta(hours=figure.remaining_hours)
    if eta <= now:  # overdue against history: no honest estimate (stall detection takes over)
        return {"eta": None, "eta_confidence": "",
                "eta_explanation": _("No estimate: the parcel is later than usual.")}
    parts = []
    if status == TrackingStatus.ARRIVED_AT_HUB and figure.dwell_hours:
        leave = last_event_at + timedelta(hours=figure.dwell_hours)
        if leave > now:
            parts.append(_("Expected to leave the hub by %(when)s") % {
                "when": when_phrase(leave, now)})
    parts.append(_("Expected to be delivered by %(when)s") % {"when": when_phrase(eta, now)})
    return {"eta": eta, "eta_confidence": _confidence(level, figure.samples),
            "eta_explanation": _("; ").join(parts)[:200]}


def latest_event(events):
    """By time; among equal times the one stored last (unsaved rows count as newest)."""
    return max(events, key=lambda e: (e.time, e.pk is None, e.pk or 0), default=None)


def derived_fields(shipment, events, *, now: datetime, carrier: str | None = None,
                   overall_status: str = "") -> dict:
    """Snapshot fields of `shipment` given all of its events (saved or about to be)."""
    last = latest_event(events)
    if last is None:
        return {"status": shipment.status or overall_status}
    fields = {"status": last.status, "last_event_at": last.time,
              "last_location": last.location, "last_description": last.description}
    fields.update(stall_state(last.status, last.time, last.description, now))
    fields.update(estimate(carrier=shipment.carrier if carrier is None else carrier,
                           origin=shipment.origin,
                           destination=shipment.destination, status=last.status,
                           last_event_at=last.time, now=now))
    return fields


def median(values) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return math.nan
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# ------------------------------------------------------------------- set-wide refreshes

_DERIVED = ["stalled", "stall_reason", "stalled_since", "eta", "eta_confidence",
            "eta_explanation"]


def _snapshot_changes(shipment, now, thresholds, lanes, *, eta: bool = True) -> dict:
    fields = stall_state(shipment.status, shipment.last_event_at, shipment.last_description,
                         now, thresholds)
    if eta:
        fields.update(estimate(carrier=shipment.carrier, origin=shipment.origin,
                               destination=shipment.destination, status=shipment.status,
                               last_event_at=shipment.last_event_at, now=now, lanes=lanes))
    return {k: v for k, v in fields.items() if getattr(shipment, k) != v}


def refresh_derived(shipment_ids, *, now: datetime | None = None, eta: bool = True) -> int:
    """Recomputes stall flags (and ETAs) of these shipments from their snapshots."""
    from logistics.models import Shipment

    now = now or timezone.now()
    thresholds, lanes = stall_thresholds(), lane_table()
    ids = list(shipment_ids)
    changed = 0
    for start in range(0, len(ids), 1000):
        batch = []
        for shipment in Shipment.objects.filter(pk__in=ids[start:start + 1000]):
            changes = _snapshot_changes(shipment, now, thresholds, lanes, eta=eta)
            if changes:
                for name, value in changes.items():
                    setattr(shipment, name, value)
                shipment.updated_at = now
                batch.append(shipment)
        Shipment.objects.bulk_update(batch, [*_DERIVED, "updated_at"], batch_size=500)
        changed += len(batch)
    return changed
