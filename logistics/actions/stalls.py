"""Stall detection: a live parcel without a new scan past its status's threshold."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from logistics.actions.derive import stall_state, stall_thresholds
from logistics.choices import FINAL_STATUSES
from logistics.models import Shipment

_FIELDS = ["stalled", "stall_reason", "stalled_since"]


def detect_stalls(now: datetime | None = None) -> dict[str, int]:
    """Marks newly stalled shipments and clears the ones that moved or arrived.

    Idempotent; `now` is explicit for tests and back-fills. Only candidates are read: flagged
    ones, and live ones whose last scan is older than the smallest threshold.
    """
    now = now or timezone.now()
    thresholds = stall_thresholds()
    counts = {"marked": 0, "cleared": 0, "stalled": 0}
    candidates = Q(stalled=True)
    if thresholds:
        oldest_allowed = now - timedelta(hours=min(thresholds.values()))
        candidates |= Q(last_event_at__lte=oldest_allowed) & ~Q(status__in=FINAL_STATUSES)
    batch = []
    for shipment in Shipment.objects.filter(candidates).only(
            "id", "status", "last_event_at", "last_description", *_FIELDS).iterator(2000):
        state = stall_state(shipment.status, shipment.last_event_at,
                            shipment.last_description, now, thresholds)
        counts["stalled"] += state["stalled"]
        if all(getattr(shipment, k) == v for k, v in state.items()):
            continue
        if state["stalled"] and not shipment.stalled:
            counts["marked"] += 1
        elif not state["stalled"]:
            counts["cleared"] += 1
        for name, value in state.items():
            setattr(shipment, name, value)
        shipment.updated_at = now
        batch.append(shipment)
        if len(batch) >= 1000:
            Shipment.objects.bulk_update(batch, [*_FIELDS, "updated_at"])
            batch = []
    Shipment.objects.bulk_update(batch, [*_FIELDS, "updated_at"])
    return counts
