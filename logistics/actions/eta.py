"""Lane transit times learned from delivered parcels, and the ETAs they give live ones.

For every delivered shipment and every stage (status) it went through, the last scan in that
stage is taken: hours from it to delivery ("remaining") and to the next scan ("dwell"). The
medians per carrier × origin × destination × stage, per carrier × stage and per stage are
stored in LaneStat; an ETA falls back from lane to carrier to global (derive.estimate).
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from logistics.actions.derive import clear_caches, median, refresh_derived
from logistics.choices import FINAL_STATUSES, TrackingStatus
from logistics.models import LaneStat, Shipment, TrackingEvent


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def lane_samples(shipments, events_by_shipment) -> dict[tuple, list[tuple[float, float]]]:
    """(carrier, origin, destination, stage) → [(remaining hours, dwell hours)]."""
    buckets: dict[tuple, list[tuple[float, float | None]]] = defaultdict(list)
    for shipment in shipments:
        events = events_by_shipment.get(shipment.pk, [])
        delivered_at = next((t for t, status in events if status == TrackingStatus.DELIVERED),
                            None)
        if delivered_at is None:
            continue
        last_of_stage: dict[str, tuple[datetime, datetime | None]] = {}
        for i, (t, status) in enumerate(events):
            if t >= delivered_at or status == TrackingStatus.DELIVERED:
                break
            following = events[i + 1][0] if i + 1 < len(events) else None
            last_of_stage[status] = (t, following)
        for stage, (t, following) in last_of_stage.items():
            sample = (_hours(delivered_at - t), _hours(following - t) if following else None)
            keys = [("", "", "", stage)]
            if shipment.carrier:
                keys.append((shipment.carrier, "", "", stage))
                if shipment.origin and shipment.destination:
                    keys.append((shipment.carrier, shipment.origin, shipment.destination,
                                 stage))
            for key in keys:
                buckets[key].append(sample)
    return buckets


def refresh_lane_stats(*, now: datetime | None = None, days: int = 90) -> dict[str, int]:
    """Rebuilds LaneStat from shipments delivered in the last `days`, then refreshes the ETAs
    of live shipments."""
    now = now or timezone.now()
    delivered = list(Shipment.objects.filter(
        status=TrackingStatus.DELIVERED, last_event_at__gte=now - timedelta(days=days)).only(
        "id", "carrier", "origin", "destination"))
    buckets: dict[tuple, list] = defaultdict(list)
    for start in range(0, len(delivered), 2000):
        chunk = delivered[start:start + 2000]
        events: dict[int, list] = defaultdict(list)
        for shipment_id, t, status in (TrackingEvent.objects
                                       .filter(shipment_id__in=[s.pk for s in chunk])
                                       .order_by("shipment_id", "time", "id")
                                       .values_list("shipment_id", "time", "status")):
            events[shipment_id].append((t, status))
        for key, samples in lane_samples(chunk, events).items():
            buckets[key].extend(samples)
    rows = []
    for (carrier, origin, destination, stage), samples in buckets.items():
        dwell = [d for _, d in samples if d is not None]
        rows.append(LaneStat(carrier=carrier, origin=origin, destination=destination,
                             stage=stage, remaining_hours=round(median(r for r, _ in samples), 3),
                             dwell_hours=round(median(dwell), 3) if dwell else None,
                             samples=len(samples), updated_at=now))
    with transaction.atomic():
        LaneStat.objects.all().delete()
        LaneStat.objects.bulk_create(rows, batch_size=1000)
    clear_caches()
    live = list(Shipment.objects.exclude(status__in=[*FINAL_STATUSES, ""])
                .values_list("id", flat=True))
    refreshed = refresh_derived(live, now=now)
    return {"lanes": len(rows), "delivered": len(delivered), "refreshed": refreshed}
