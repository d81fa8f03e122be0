"""Reads of routing data for the API, admin, other apps and the routing actions.

Tickets' rows are only read here (open loads, waiting tickets, facts), never written.
"""

from __future__ import annotations

from datetime import UTC

from django.db import connection
from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from logistics.carriers import detect_carrier
from routing import roster, rules
from routing.choices import AgentStatus
from routing.models import AgentProfile, Queue, RoutingDecision
from routing.strategies import Candidate
from tickets.choices import Status
from tickets.models import Ticket

OPEN = (Status.ASSIGNED, Status.PROCESSING)  # what counts against an agent's capacity


def ticket_facts(ticket: Ticket, waybills=None) -> rules.TicketFacts:
    """What rules and skills look at. Reads the customer's tags and, only when some rule or
    skill looks at carriers, the waybills (unless their numbers are given)."""
    customer_tags = frozenset(ticket.customer.tags) if ticket.customer_id else frozenset()
    carriers = frozenset()
    if rules.needs_carriers():
        numbers = (waybills if waybills is not None
                   else [w.number for w in ticket.waybill_rows.all()])
        carriers = frozenset(c for c in map(detect_carrier, numbers) if c)
    return rules.TicketFacts(
        category=rules.category_code(ticket.category_id), priority=ticket.priority,
        region=ticket.region or "", channel=ticket.channel, customer_tags=customer_tags,
        carriers=carriers, text=f"{ticket.title}\n{ticket.description}".casefold(),
        tags=frozenset(ticket.tags or ()))


def _load_subquery(user_ref: str = "user_id"):
    return Coalesce(Subquery(
        Ticket.objects.filter(owner_id=OuterRef(user_ref), status__in=OPEN).order_by()
        .values("owner_id").annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField()), Value(0))


_CANDIDATES_SQL = None


def _online_members(queue_id: int):
    """(user id, capacity, last assigned at, open load) of the queue's online members.

    Hand-written, portable SQL (PostgreSQL, SQLite) kept per process: this runs on every
    routing decision, and building the equivalent ORM query cost more than running it
    (bench/routing.py). Agents at capacity are dropped in Python, after counting.
    """
    global _CANDIDATES_SQL
    if _CANDIDATES_SQL is None:
        members = Queue.members.through._meta.db_table
        _CANDIDATES_SQL = (
            f"SELECT p.user_id, p.capacity, p.last_assigned_at, "
            f"(SELECT COUNT(*) FROM {Ticket._meta.db_table} t WHERE t.owner_id = p.user_id "
            f"AND t.status IN (%s, %s)) "
            f"FROM {AgentProfile._meta.db_table} p "
            f"INNER JOIN {members} m ON m.user_id = p.user_id "
            f"WHERE m.queue_id = %s AND p.status = %s ORDER BY p.user_id")
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, [*OPEN, queue_id, AgentStatus.ONLINE])
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":  # naive UTC datetimes (or text) come back raw
        rows = [(u, c, _aware(a), n) for u, c, a, n in rows]
    return rows


def _aware(value):
    if not value:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else value
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def candidate_list(*, queue_id: int, category_id: int | None, skill_ids=(), required_ids=(),
                   region: str = "", exclude_user_ids=()) -> list[Candidate]:
    """Online, active members of the queue with free capacity and every required skill, with
    their proficiency on each called-for skill, the category performance and the open load.

    One query (status, capacity and membership live, open loads counted); skills, regions and
    performance come from the per-process roster (routing/roster.py)."""
    skill_codes = rules.skill_codes()
    named = [(sid, skill_codes.get(sid, str(sid))) for sid in skill_ids]
    excluded = {u for u in exclude_user_ids if u}
    cards, performance = roster.snapshot()
    out = []
    for user_id, capacity, last_assigned_at, load in _online_members(queue_id):
        if load >= capacity or user_id in excluded:
            continue
        card = cards.get(user_id) or roster.card(user_id)  # new since the snapshot
        if card is None or not card.active:
            continue
        skills = card.skills
        if required_ids and any(sid not in skills for sid in required_ids):
            continue
        levels = {code: skills.get(sid, 0) for sid, code in named}
        perf = performance.get((user_id, category_id))
        out.append(Candidate(
            user_id=user_id, username=card.username, load=load, capacity=capacity,
            proficiency=sum(levels.values()) / len(levels) if levels else 0.0,
            performance=perf if perf is not None else 0.5,
            region_match=bool(region) and any(r in region for r in card.regions),
            last_assigned_at=last_assigned_at, skills=levels))
    return out


def open_loads(user_ids) -> dict[int, int]:
    """Open tickets per agent, read fresh (call it after locking the profiles)."""
    loads = dict.fromkeys(user_ids, 0)
    loads.update(Ticket.objects.filter(owner_id__in=list(user_ids), status__in=OPEN)
                 .order_by().values("owner_id").annotate(n=Count("id"))
                 .values_list("owner_id", "n"))
    return loads


def waiting_tickets(queue_ids):
    """Tickets waiting for an agent, best first: priority, then resolution due."""
    return (Ticket.objects.filter(status=Status.RECEIVED, queue_id__in=list(queue_ids))
            .order_by("priority", "resolve_due", "created_at", "id"))


def latest_decision(ticket_id: int) -> RoutingDecision | None:
    return (RoutingDecision.objects.filter(ticket_id=ticket_id)
            .select_related("queue", "winner").order_by("-created_at", "-id").first())


def decision_as_dict(decision: RoutingDecision | None) -> dict | None:
    if decision is None:
        return None
    return {
        "id": decision.pk, "trigger": decision.trigger, "strategy": decision.strategy,
        "rule": decision.rule_name or None,
        "queue": ({"id": decision.queue.pk, "code": decision.queue.code,
                   "name": decision.queue.name} if decision.queue else None),
        "winner": ({"id": decision.winner.pk, "username": decision.winner.username}
                   if decision.winner else None),
        "reason": decision.reason, "candidates": decision.candidates,
        "created_at": decision.created_at.isoformat(),
    }


def queue_stats(now):
    """Every queue with its waiting count, oldest wait, breaches and online members: one
    query. Each figure is a per-queue subquery over the (queue, status) index that reads only
    the queue's unclosed tickets, so it costs the same with a million closed tickets (a join
    aggregate over all of a queue's tickets took 40 ms at 10,000; it runs after every ticket
    change, for the supervisors' live figures)."""
    unclosed = [s for s in Status.values if s != Status.CLOSED]

    def per_queue(queryset, aggregate):
        return Subquery(queryset.filter(queue=OuterRef("pk")).order_by().values("queue")
                        .annotate(v=aggregate).values("v")[:1])

    waiting = Ticket.objects.filter(status=Status.RECEIVED)
    breached = Ticket.objects.filter(status__in=unclosed).filter(
        Q(response_breached_at__isnull=False) | Q(resolve_breached_at__isnull=False))
    online = AgentProfile.objects.filter(
        status=AgentStatus.ONLINE, user__ticket_queues=OuterRef("pk")).order_by().values(
        "status").annotate(n=Count("id")).values("n")[:1]
    return Queue.objects.annotate(
        waiting=Coalesce(per_queue(waiting, Count("id")), Value(0)),
        oldest_since=per_queue(waiting, Min("updated_at")),
        breached=Coalesce(per_queue(breached, Count("id")), Value(0)),
        online_agents=Coalesce(Subquery(online, output_field=IntegerField()), Value(0)),
    ).order_by("code")


def agent_list():
    """Agents' states and loads; queues prefetched (two queries)."""
    return (AgentProfile.objects.select_related("user")
            .annotate(load=_load_subquery())
            .prefetch_related("user__ticket_queues").order_by("user__username"))


def profile_get(user_id: int) -> AgentProfile | None:
    return AgentProfile.objects.filter(user_id=user_id).first()
