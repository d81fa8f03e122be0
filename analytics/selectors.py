"""Reads: anomaly candidates (stall clusters, complaint spikes), open incidents, reports.

Stall clusters and complaint spikes are each one aggregate query (GROUP BY in the database),
plus one query for the baselines of the few groups that pass the absolute minimum.
Other apps' rows come through their selectors (logistics.selectors.stalled_as_of,
tickets.selectors.visible_tickets).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min, Q, QuerySet

from analytics.choices import IncidentKind
from analytics.models import (
    OPEN_STATUSES,
    AnomalySettings,
    BacklogSample,
    DetectionRun,
    Incident,
    Report,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def hour_bucket(now: datetime) -> tuple[datetime, int]:
    """The hour `now` falls in (UTC, truncated) and its hour of the week, Monday 00:00
    Asia/Shanghai = 0 (backlogs follow local working rhythms)."""
    local = now.astimezone(SHANGHAI)
    bucket = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return bucket, local.weekday() * 24 + local.hour


@dataclass
class StallCluster:
    location: str
    carrier: str
    count: int
    first_scan: datetime
    last_scan: datetime
    baseline: float | None  # usual backlog at this hour of the week; None: no history yet
    window_start: datetime
    window_end: datetime

    @property
    def key(self) -> str:
        return f"{self.location}|{self.carrier}"


@dataclass
class ComplaintSpike:
    district: str
    category: str
    count: int
    baseline_median: float
    baseline_mad: float
    z: float
    history: list[int] = field(default_factory=list)
    window_start: datetime | None = None
    window_end: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.district}|{self.category}"


def stall_groups(now: datetime, window_hours: int) -> list[dict]:
    """Stalled parcels (logistics' thresholds, as of `now`) per last location × carrier whose
    last scan lies in the window: [{location, carrier, n, first, last}], one GROUP BY."""
    from logistics.selectors import stalled_as_of

    start = now - timedelta(hours=window_hours)
    return list(stalled_as_of(now).filter(last_event_at__gte=start).exclude(last_location="")
                .order_by().values("last_location", "carrier")
                .annotate(n=Count("id"), first=Min("last_event_at"), last=Max("last_event_at")))


def backlog_baselines(keys, hour_of_week: int, now: datetime, weeks: int
                      ) -> dict[tuple[str, str], float | None]:
    """Median backlog per (location, carrier) at this hour of the week over previous weeks.

    A week counts when a detection run happened in that hour; a location missing from that
    run's samples had no backlog (0). No such run at all: None (no history, no multiple test).
    """
    since = now - timedelta(weeks=weeks, hours=1)
    until = now - timedelta(hours=24)  # the same hour of *previous* weeks only
    buckets = sorted(set(DetectionRun.objects.filter(
        hour_of_week=hour_of_week, bucket__gte=since, bucket__lte=until)
        .values_list("bucket", flat=True)))
    if not buckets:
        return dict.fromkeys(keys)
    samples: dict[tuple[str, str], dict] = {k: {} for k in keys}
    locations = sorted({k[0] for k in keys})
    for location, carrier, bucket, count in BacklogSample.objects.filter(
            hour_of_week=hour_of_week, bucket__in=buckets, location__in=locations
    ).values_list("location", "carrier", "bucket", "count"):
        if (location, carrier) in samples:
            samples[(location, carrier)][bucket] = count
    return {k: float(statistics.median([per.get(b, 0) for b in buckets]))
            for k, per in samples.items()}


def find_stall_clusters(now: datetime, config: AnomalySettings | None = None,
                        groups: list[dict] | None = None) -> list[StallCluster]:
    """Location × carrier groups of stalled parcels that pass both thresholds: at least
    `stall_min_count`, and at least `stall_backlog_multiple` × the usual backlog."""
    config = config or AnomalySettings.current()
    if groups is None:
        groups = stall_groups(now, config.stall_window_hours)
    big = [g for g in groups if g["n"] >= config.stall_min_count]
    if not big:
        return []
    _bucket, how = hour_bucket(now)
    baselines = backlog_baselines([(g["last_location"], g["carrier"]) for g in big], how, now,
                                  config.baseline_weeks)
    start = now - timedelta(hours=config.stall_window_hours)
    clusters = []
    for g in big:
        baseline = baselines[(g["last_location"], g["carrier"])]
        if baseline is not None and g["n"] < config.stall_backlog_multiple * baseline:
            continue  # a busy hub's normal pile at this hour of the week
        clusters.append(StallCluster(
            location=g["last_location"], carrier=g["carrier"], count=g["n"],
            first_scan=g["first"], last_scan=g["last"], baseline=baseline,
            window_start=start, window_end=now))
    clusters.sort(key=lambda c: (-c.count, c.location, c.carrier))
    return clusters


def robust_z(value: float, history: list[float]) -> tuple[float, float, float]:
    """(z, median, MAD) of `value` against `history`. The scale has a floor of √median and 1
    (a Poisson-like count whose weeks happened to be identical has MAD 0, not certainty)."""
    if not history:
        return math.inf if value > 0 else 0.0, 0.0, 0.0
    median = float(statistics.median(history))
    mad = float(statistics.median([abs(h - median) for h in history]))
    scale = max(1.4826 * mad, math.sqrt(median), 1.0)
    return (value - median) / scale, median, mad


def find_complaint_spikes(now: datetime, config: AnomalySettings | None = None
                          ) -> list[ComplaintSpike]:
    """District × category complaint counts in the last `spike_window_hours` against the same
    window of the same weekday and hour in each of the previous `baseline_weeks` weeks (a
    seasonal baseline by hour of week): a spike has at least `spike_min_count` complaints and
    a robust z-score of at least `spike_z`. One GROUP BY with a filtered count per week."""
    from tickets.roles import system_user
    from tickets.selectors import visible_tickets

    config = config or AnomalySettings.current()
    window = timedelta(hours=config.spike_window_hours)
    weeks = config.baseline_weeks
    spans = [(now - timedelta(weeks=k) - window, now - timedelta(weeks=k))
             for k in range(weeks + 1)]
    inside = Q()
    for start, end in spans:
        inside |= Q(created_at__gt=start, created_at__lte=end)
    counts = {f"w{k}": Count("id", filter=Q(created_at__gt=s, created_at__lte=e))
              for k, (s, e) in enumerate(spans)}
    rows = (visible_tickets(system_user()).filter(inside).exclude(region="")
            .exclude(category__code="batch_incident").order_by()
            .values("region", "category__code").annotate(**counts)
            .filter(w0__gte=config.spike_min_count))
    spikes = []
    for row in rows:
        history = [row[f"w{k}"] for k in range(1, weeks + 1)]
        z, median, mad = robust_z(row["w0"], history)
        if z >= config.spike_z:
            spikes.append(ComplaintSpike(
                district=row["region"], category=row["category__code"], count=row["w0"],
                baseline_median=median, baseline_mad=mad, z=round(min(z, 1e6), 2),
                history=history, window_start=spans[0][0], window_end=now))
    spikes.sort(key=lambda s: (-s.z, s.district, s.category))
    return spikes


# ------------------------------------------------------------------ incidents and reports

def open_incidents() -> QuerySet[Incident]:
    """Open incidents with their tickets, the largest first (console, metrics, hook)."""
    return (Incident.objects.filter(status__in=OPEN_STATUSES)
            .select_related("ticket", "ticket__category", "compensation")
            .order_by("-shipments_count", "-opened_at"))


def incident_list(*, status: str | None = None) -> QuerySet[Incident]:
    qs = Incident.objects.select_related("ticket", "compensation").order_by("-opened_at", "-id")
    return qs.filter(status=status) if status else qs


def incident_for_ticket(ticket_id: int) -> Incident | None:
    """The incident a ticket belongs to: as the incident itself or as one of its children."""
    return (Incident.objects.filter(Q(ticket_id=ticket_id) | Q(ticket__children__id=ticket_id))
            .select_related("ticket").first())


def open_incident_for(*, waybills=(), region: str = "", category: str = "") -> Incident | None:
    """The open incident a new complaint belongs to: one holding any of its parcels, else a
    complaint spike of its district × category. One query."""
    condition = Q()
    if waybills:
        condition |= Q(kind=IncidentKind.STALL_CLUSTER, shipments__tracking_number__in=list(
            waybills))
    if region and category:
        condition |= Q(kind=IncidentKind.COMPLAINT_SPIKE, key=f"{region}|{category}")
    if not condition:
        return None
    return (Incident.objects.filter(condition, status__in=OPEN_STATUSES)
            .select_related("ticket").order_by("opened_at", "id").first())


def report_list() -> QuerySet[Report]:
    """Stored reports, newest first (admin, supervisor console)."""
    return Report.objects.order_by("-created_at", "-id")


def report_get(report_id) -> Report | None:
    return Report.objects.filter(pk=report_id).first()
