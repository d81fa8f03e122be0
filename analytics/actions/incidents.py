"""Batch incidents: one parent ticket per anomaly, its children, its growth and recovery.

Every ticket write goes through tickets' actions (create, link, context, comments, priority,
approve); analytics' own rows (Incident, IncidentShipment) record what the incident covers.
Re-running detection is idempotent: the open incident of a cluster's key is found (at most one
open per key, a partial unique constraint) and grows; nothing is opened twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.actions.notices import do_notify_affected_customers
from analytics.choices import IncidentKind, IncidentStatus
from analytics.models import (
    OPEN_STATUSES,
    AnomalySettings,
    BacklogSample,
    DetectionRun,
    Incident,
    IncidentShipment,
)
from analytics.selectors import (
    ComplaintSpike,
    StallCluster,
    find_complaint_spikes,
    find_stall_clusters,
    hour_bucket,
    stall_groups,
)
from tickets.choices import PRIORITY_ORDER, CommentVisibility, Impact, Status

SAMPLE_TRAJECTORIES = 3


@dataclass
class Outcome:
    incident: Incident
    created: bool
    new_shipments: int = 0
    new_children: int = 0
    notified: int = 0

    def as_dict(self) -> dict:
        i = self.incident
        return {"ticket_number": i.ticket.number, "kind": i.kind, "location": i.location,
                "carrier": i.carrier, "district": i.district, "category": i.category,
                "shipments": i.shipments_count, "tickets": i.tickets_count,
                "notified": i.notified_count, "created": self.created}


def _system():
    from tickets.roles import system_user

    return system_user()


def incident_priority(count: int, fresh: int, config: AnomalySettings) -> str:
    """P2; P1 from `p1_size` parcels, P0 from `p0_size`; fresh goods one level up."""
    priority = "P2"
    if count >= config.p1_size:
        priority = "P1"
    if count >= config.p0_size:
        priority = "P0"
    if fresh and priority != "P0":
        priority = PRIORITY_ORDER[PRIORITY_ORDER.index(priority) - 1]
    return priority


def _more_urgent(a: str, b: str) -> str:
    return min(a, b, key=PRIORITY_ORDER.index)


# --------------------------------------------------------------------------- detection

def do_detect_anomalies(now: datetime | None = None) -> list[Outcome]:
    """One detection pass evaluated at `now`: stall clusters and complaint spikes become (or
    grow) incidents; open stall incidents whose parcels move again propose resolution."""
    started = time.monotonic()
    now = now or timezone.now()
    config = AnomalySettings.current()
    groups = stall_groups(now, config.stall_window_hours)
    clusters = find_stall_clusters(now, config, groups=groups)
    spikes = find_complaint_spikes(now, config)
    outcomes = [apply_stall_cluster(c, now=now, config=config) for c in clusters]
    outcomes += [apply_complaint_spike(s, now=now, config=config) for s in spikes]
    seen = {o.incident.pk for o in outcomes}
    do_check_recovery(now=now, config=config, skip=seen)
    _record_run(now, groups, clusters=len(clusters), spikes=len(spikes),
                created=sum(o.created for o in outcomes), seconds=time.monotonic() - started)
    return outcomes


def _record_run(now, groups, *, clusters, spikes, created, seconds) -> None:
    """The backlog history behind future baselines: this hour's stalled counts per location ×
    carrier (a re-run within the hour replaces them) and the run itself."""
    bucket, how = hour_bucket(now)
    BacklogSample.objects.bulk_create(
        [BacklogSample(location=g["last_location"][:200], carrier=g["carrier"], bucket=bucket,
                       hour_of_week=how, count=g["n"]) for g in groups],
        update_conflicts=True, unique_fields=["location", "carrier", "bucket"],
        update_fields=["count"], batch_size=1000)
    DetectionRun.objects.create(at=now, bucket=bucket, hour_of_week=how, clusters=clusters,
                                spikes=spikes, created=created, seconds=round(seconds, 3))


def _open_incident(kind: str, key: str) -> Incident | None:
    return (Incident.objects.select_for_update().filter(kind=kind, key=key,
                                                        status__in=OPEN_STATUSES).first())


def _create_incident_ticket(*, title, priority, region, tags, context, config):
    from tickets.actions import check_create_ticket

    return check_create_ticket(
        user=_system(), title=title[:200], category_code="batch_incident", priority=priority,
        impact=Impact.MANY, channel="system", region=region, tags=tags, context=context,
        queue_code=config.queue_code,
        description=context["incident"].get("summary", ""))


def _reason_label(description: str, status: str) -> str:
    from logistics.actions.derive import stall_reason
    from logistics.choices import StallReason

    return str(StallReason(stall_reason(status, description)).label)


def _samples(numbers: list[str]) -> list[dict]:
    """A few trajectories (oldest scan first) as evidence; no phones."""
    from logistics.selectors import shipment_get, trajectory

    samples = []
    for number in numbers[:SAMPLE_TRAJECTORIES]:
        shipment = shipment_get(number)
        if shipment is None:
            continue
        samples.append({"tracking_number": number, "events": [
            {"time": e.time.isoformat(), "status": e.status, "location": e.location,
             "description": e.description} for e in trajectory(shipment)]})
    return samples


def apply_stall_cluster(cluster: StallCluster, *, now: datetime,
                        config: AnomalySettings) -> Outcome:
    from logistics.selectors import stalled_as_of

    system = _system()
    with transaction.atomic():
        incident = _open_incident(IncidentKind.STALL_CLUSTER, cluster.key)
        rows = list(stalled_as_of(now).filter(
            last_location=cluster.location, carrier=cluster.carrier,
            last_event_at__gte=cluster.window_start).order_by("last_event_at", "id").values(
            "tracking_number", "recipient_phone", "goods", "last_event_at", "status",
            "last_description"))
        reason = _reason_label(rows[0]["last_description"], rows[0]["status"]) if rows else ""
        fresh = sum("fresh" in (r["goods"] or []) for r in rows)
        created = incident is None
        evidence = {
            "kind": IncidentKind.STALL_CLUSTER, "location": cluster.location,
            "carrier": cluster.carrier, "reason": reason,
            "window": [cluster.window_start.isoformat(), cluster.window_end.isoformat()],
            "stalled_now": cluster.count, "baseline": cluster.baseline,
            "thresholds": {"min_count": config.stall_min_count,
                           "backlog_multiple": config.stall_backlog_multiple},
            "first_scan": cluster.first_scan.isoformat(),
            "last_scan": cluster.last_scan.isoformat(), "fresh_parcels": fresh,
            "detected_at": now.isoformat(),
        }
        if created:
            evidence["samples"] = _samples([r["tracking_number"] for r in rows])
        priority = incident_priority(cluster.count, fresh, config)
        title = _("Batch incident: %(count)d parcels stalled at %(location)s (%(carrier)s)") % {
            "count": cluster.count, "location": cluster.location,
            "carrier": cluster.carrier or "-"}
        if created:
            evidence["summary"] = title
            ticket = _create_incident_ticket(
                title=title, priority=priority, region="", config=config,
                tags=["batch_incident", "stall_cluster", *(["fresh"] if fresh else [])],
                context={"incident": evidence})
            incident = Incident.objects.create(
                kind=IncidentKind.STALL_CLUSTER, key=cluster.key, ticket=ticket,
                location=cluster.location, carrier=cluster.carrier, baseline=cluster.baseline,
                opened_at=now, last_seen_at=now, compensation=config.default_compensation)
            _tell_supervisors(incident)
        outcome = Outcome(incident=incident, created=created)
        known = set(incident.shipments.values_list("tracking_number", flat=True))
        known_phones = set(incident.shipments.exclude(recipient_phone="")
                           .values_list("recipient_phone", flat=True))
        fresh_rows = [r for r in rows if r["tracking_number"] not in known]
        IncidentShipment.objects.bulk_create(
            [IncidentShipment(incident=incident, tracking_number=r["tracking_number"],
                              recipient_phone=r["recipient_phone"], goods=r["goods"] or [],
                              stalled_at=r["last_event_at"], added_at=now)
             for r in fresh_rows], ignore_conflicts=True, batch_size=1000)
        outcome.new_shipments = len(fresh_rows)
        outcome.new_children = _link_existing_tickets(
            incident, [r["tracking_number"] for r in fresh_rows], system)
        outcome.notified = do_notify_affected_customers(
            incident, [r for r in fresh_rows if r["recipient_phone"] not in known_phones],
            now=now, config=config, reason=reason)
        if not created:
            _grow(incident, evidence, priority=priority, title=title, system=system)
        _refresh_counts(incident, now=now, notified=outcome.notified)
        if incident.status == IncidentStatus.RECOVERING:
            # stalled again in numbers: the proposal no longer holds
            incident.status = IncidentStatus.OPEN
            incident.resolution_proposed_at = None
            incident.save(update_fields=["status", "resolution_proposed_at"])
    if created:
        do_suggest_support(incident)
    return outcome


def _tell_supervisors(incident: Incident) -> None:
    """A new incident: the supervisors hear it at once (WeCom/DingTalk, once per incident)."""
    from tickets.actions import notify_supervisors

    notify_supervisors(incident.ticket, _("New batch incident %(number)s: %(title)s") % {
        "number": incident.ticket.number, "title": incident.ticket.title}, key="incident_opened")


def apply_complaint_spike(spike: ComplaintSpike, *, now: datetime,
                          config: AnomalySettings) -> Outcome:
    from tickets.roles import system_user
    from tickets.selectors import visible_tickets

    system = _system()
    with transaction.atomic():
        incident = _open_incident(IncidentKind.COMPLAINT_SPIKE, spike.key)
        created = incident is None
        evidence = {
            "kind": IncidentKind.COMPLAINT_SPIKE, "district": spike.district,
            "category": spike.category, "complaints": spike.count,
            "window": [spike.window_start.isoformat(), spike.window_end.isoformat()],
            "baseline": {"median": spike.baseline_median, "mad": spike.baseline_mad,
                         "weeks": spike.history},
            "z": spike.z, "thresholds": {"min_count": config.spike_min_count,
                                         "z": config.spike_z},
            "detected_at": now.isoformat(),
        }
        from tickets.selectors import category_get

        category = category_get(spike.category)
        title = _("Complaint spike: %(count)d %(category)s complaints in %(district)s") % {
            "count": spike.count, "category": category.name if category else spike.category,
            "district": spike.district}
        priority = "P1" if spike.count >= 3 * config.spike_min_count else "P2"
        if created:
            evidence["summary"] = title
            ticket = _create_incident_ticket(
                title=title, priority=priority, region=spike.district, config=config,
                tags=["batch_incident", "complaint_spike"], context={"incident": evidence})
            incident = Incident.objects.create(
                kind=IncidentKind.COMPLAINT_SPIKE, key=spike.key, ticket=ticket,
                district=spike.district, category=spike.category,
                baseline=spike.baseline_median, opened_at=now, last_seen_at=now)
            _tell_supervisors(incident)
        else:
            _grow(incident, evidence, priority=priority, title=title, system=system)
        complaints = (visible_tickets(system_user())
                      .filter(region=spike.district, category__code=spike.category,
                              created_at__gt=spike.window_start, created_at__lte=now)
                      .exclude(status=Status.CLOSED).exclude(parent=incident.ticket)
                      .exclude(pk=incident.ticket_id).values_list("pk", flat=True))
        outcome = Outcome(incident=incident, created=created)
        outcome.new_children = sum(_link(incident, pk, system) for pk in list(complaints))
        _refresh_counts(incident, now=now, notified=0)
    return outcome


def _grow(incident: Incident, evidence: dict, *, priority: str, title: str, system) -> None:
    """Latest evidence and title on the ticket; the priority only ever rises."""
    from tickets.actions import do_update_ticket
    from tickets.actions.incidents import do_update_incident_context
    from tickets.selectors import access_ticket

    ticket = access_ticket(system, incident.ticket_id, lock=True)
    if ticket.status == Status.CLOSED:
        return
    merged = {**(ticket.context or {}).get("incident", {}), **evidence}
    do_update_incident_context(ticket, acting_user=system, updates={"incident": merged},
                               title=title, note=_("The incident grew."))
    target = _more_urgent(priority, ticket.priority)
    if target != ticket.priority:
        do_update_ticket(ticket, acting_user=system, priority=target,
                         reason=_("The incident grew."))


def _refresh_counts(incident: Incident, *, now, notified: int) -> None:
    incident.shipments_count = incident.shipments.count()
    incident.tickets_count = incident.ticket.children.count()
    incident.notified_count += notified
    incident.last_seen_at = now
    incident.save(update_fields=["shipments_count", "tickets_count", "notified_count",
                                 "last_seen_at"])


def _link_existing_tickets(incident: Incident, numbers: list[str], system) -> int:
    """Open tickets about these parcels become the incident's children (each told)."""
    from tickets.selectors import tickets_about_waybills

    linked = 0
    for start in range(0, len(numbers), 500):
        ids = list(tickets_about_waybills(numbers[start:start + 500])
                   .exclude(status=Status.CLOSED).exclude(pk=incident.ticket_id)
                   .exclude(category__code="batch_incident")
                   .exclude(parent_id=incident.ticket_id).values_list("pk", flat=True))
        linked += sum(_link(incident, pk, system) for pk in ids)
    return linked


def _told_text(incident: Incident) -> str:
    if incident.kind == IncidentKind.STALL_CLUSTER:
        return _("Your parcel is among those held up at %(location)s; we are handling them "
                 "together as incident %(number)s and will keep you informed. You do not "
                 "need to do anything.") % {"location": incident.location,
                                            "number": incident.ticket.number}
    return _("We are aware of a wave of similar reports in your area and are handling them "
             "together as incident %(number)s; we will keep you informed.") % {
        "number": incident.ticket.number}


def _link(incident: Incident, ticket_id: int, system) -> bool:
    """Locks the ticket, makes it a child, tells its customer in the ticket's thread."""
    from tickets.selectors import access_ticket

    ticket = access_ticket(system, ticket_id, lock=True)
    return _link_locked(incident, ticket, system)


def _link_locked(incident: Incident, ticket, system) -> bool:
    from tickets.actions import do_add_comment
    from tickets.actions.incidents import do_link_to_incident

    if not do_link_to_incident(ticket, incident=incident.ticket, acting_user=system,
                               note=_("Linked to batch incident %(number)s.")
                               % {"number": incident.ticket.number}):
        return False
    if ticket.customer_id:
        do_add_comment(ticket, author=system, body=_told_text(incident),
                       visibility=CommentVisibility.PUBLIC)
    return True


# ------------------------------------------------------- later complaints (tickets hook)

def link_new_ticket(*, ticket, acting_user=None) -> None:
    """tickets.hooks.on_ticket_created: a complaint about a parcel of an open incident (or in
    the district × category of an open complaint spike) joins that incident at once, and its
    customer is told so, whichever channel it came from (chatbot, customer API, agent)."""
    from analytics.selectors import open_incident_for

    if ticket.impact == Impact.MANY or ticket.parent_id:
        return
    numbers = getattr(ticket, "waybill_numbers", None)
    if numbers is None:
        numbers = list(ticket.waybill_rows.values_list("number", flat=True))
    code = getattr(ticket.category, "code", "")
    if code == "batch_incident":
        return
    incident = open_incident_for(waybills=numbers, region=ticket.region, category=code)
    if incident is None:
        return
    if _link_locked(incident, ticket, _system()):
        Incident.objects.filter(pk=incident.pk).update(
            tickets_count=incident.ticket.children.count())


# ------------------------------------------------------------------------------ recovery

def do_check_recovery(*, now: datetime, config: AnomalySettings, skip=()) -> int:
    """Open stall incidents whose parcels mostly moved again (a scan after the one that caught
    them) propose resolution: an internal note on the incident and the supervisors told."""
    from logistics.selectors import shipments_by_numbers

    proposed = 0
    for incident in Incident.objects.filter(kind=IncidentKind.STALL_CLUSTER,
                                            status=IncidentStatus.OPEN).exclude(pk__in=skip):
        caught = dict(incident.shipments.filter(moved_at__isnull=True)
                      .values_list("tracking_number", "stalled_at"))
        moved = []
        numbers = list(caught)
        for start in range(0, len(numbers), 1000):
            for number, last in shipments_by_numbers(numbers[start:start + 1000]).values_list(
                    "tracking_number", "last_event_at"):
                if last and caught[number] and last > caught[number] and last <= now:
                    moved.append(number)
        if moved:
            incident.shipments.filter(tracking_number__in=moved).update(moved_at=now)
        total = incident.shipments.count()
        moved_total = incident.shipments.filter(moved_at__isnull=False).count()
        if total and moved_total / total >= config.recovery_share:
            do_propose_resolution(incident, moved=moved_total, total=total, now=now)
            proposed += 1
    return proposed


def do_propose_resolution(incident: Incident, *, moved: int, total: int, now) -> None:
    from tickets.actions import do_add_comment, notify_supervisors
    from tickets.actions.incidents import do_update_incident_context
    from tickets.selectors import access_ticket

    system = _system()
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status != IncidentStatus.OPEN:
            return
        ticket = access_ticket(system, incident.ticket_id, lock=True)
        text = _("%(location)s is moving again: %(moved)d of %(total)d parcels have new scans. "
                 "Proposed: resolve this incident.") % {
            "location": incident.location, "moved": moved, "total": total}
        incident.status = IncidentStatus.RECOVERING
        incident.resolution_proposed_at = now
        incident.save(update_fields=["status", "resolution_proposed_at"])
        evidence = {**(ticket.context or {}).get("incident", {}),
                    "recovery": {"moved": moved, "total": total, "at": now.isoformat()}}
        do_update_incident_context(ticket, acting_user=system, updates={"incident": evidence},
                                   note=text)
        do_add_comment(ticket, author=system, body=text, visibility=CommentVisibility.INTERNAL)
        notify_supervisors(ticket, text, key="incident_recovering")


# ---------------------------------------------------------------- closing (tickets hook)

def on_ticket_transition(*, ticket, name, from_status, acting_user=None) -> None:
    """tickets.hooks.on_transition: when an incident's ticket closes, its children are
    settled after commit (a Celery task, so a slow pass never holds the closing lock)."""
    if ticket.status != Status.CLOSED or from_status == Status.CLOSED:
        return
    incident_id = Incident.objects.filter(ticket_id=ticket.pk).values_list("pk", flat=True)
    incident_id = next(iter(incident_id), None)
    if incident_id is None:
        return
    from analytics.tasks import settle_incident
    from config.effects import enqueue_on_commit

    Incident.objects.filter(pk=incident_id).update(status=IncidentStatus.CLOSED,
                                                   closed_at=timezone.now())
    enqueue_on_commit(settle_incident, incident_id=incident_id)


def do_settle_incident(incident_id: int) -> dict[str, int]:
    """The incident is closed: children awaiting review are approved (closed) by the system;
    other open children are updated — a reply tells their customer the cause is resolved."""
    from tickets.actions import do_add_comment, do_approve_review
    from tickets.selectors import access_ticket

    incident = Incident.objects.select_related("ticket").get(pk=incident_id)
    system = _system()
    counts = {"closed": 0, "updated": 0}
    text = _("Incident %(number)s is resolved: the parcels are moving again. If your parcel "
             "still has a problem, just reply here.") % {"number": incident.ticket.number}
    for child_id in list(incident.ticket.children.exclude(status=Status.CLOSED)
                         .values_list("pk", flat=True)):
        with transaction.atomic():
            child = access_ticket(system, child_id, lock=True)
            if child.status == Status.REVIEW:
                do_approve_review(child, acting_user=system, note=text)
                counts["closed"] += 1
            elif child.status != Status.CLOSED:
                do_add_comment(child, author=system, body=text,
                               visibility=CommentVisibility.PUBLIC)
                counts["updated"] += 1
    return counts


# ---------------------------------------------------------------- support suggestion

def do_suggest_support(incident: Incident) -> list[dict]:
    """Nearby stations with spare capacity (stations.selectors.stations_near) within the
    configured radius of the hub, stored on the incident and in its ticket's evidence."""
    from analytics.models import HubLocation

    hub = HubLocation.objects.filter(name=incident.location).first()
    if hub is None or incident.kind != IncidentKind.STALL_CLUSTER:
        return []
    try:
        from stations.selectors import stations_near
    except ImportError:  # stations not installed in this deployment
        return []
    config = AnomalySettings.current()
    found = [{"code": s.code, "name": s.name, "carrier": s.carrier,
              "distance_km": round(s.distance_km, 1), "spare_capacity": s.spare_capacity}
             for s in stations_near(hub.latitude, hub.longitude, config.support_radius_km)]
    Incident.objects.filter(pk=incident.pk).update(support=found)
    incident.support = found
    from tickets.actions.incidents import do_update_incident_context
    from tickets.selectors import access_ticket

    with transaction.atomic():
        system = _system()
        ticket = access_ticket(system, incident.ticket_id, lock=True)
        evidence = {**(ticket.context or {}).get("incident", {}), "support": found,
                    "support_radius_km": config.support_radius_km}
        do_update_incident_context(ticket, acting_user=system, updates={"incident": evidence},
                                   note=_("Nearby stations with spare capacity."))
    return found
