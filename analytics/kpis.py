"""Service KPIs over a period, overall and per group — every figure an aggregate in SQL.

Analytics is the reporting app (DESIGN.md: "reads all"): these are read-only GROUP BY queries
across tickets' tables (tickets, events, surveys), chatbot's conversations and routing's
profiles. Per-row reads elsewhere go through the owning app's selectors. A month of 100,000
tickets takes four statements (bench/anomalies.py measures it).

Definitions (also in the API schema, analytics/api/serializers.py):
- volume: tickets created in [from, to).
- resolution_rate: of those, the share closed before `to` (closed / created).
- first_response_minutes: mean minutes from creation to the first response (agent starts or
  replies publicly), over those responded.
- handling_minutes: mean minutes from creation to the proposed resolution (submit for review),
  over those resolved before `to`.
- response_sla / resolution_sla: share met among those decided — met (responded/resolved by
  the due time) or due time already past at min(to, now) without it.
- reopen_rate (二次投诉): tickets reopened at least once / tickets closed at least once.
- csat_average, csat_response_rate: surveys sent in the period: mean score of the answered
  ones; answered / sent.
- bot_self_service_rate: chat sessions started in the period that ended with neither a ticket
  nor a handoff; handoff_rate: those handed to an agent or that opened a ticket.
- routing_acceptance: tickets assigned at least once whose first owner kept them (never
  released or transferred) / tickets assigned.
- agent_utilisation: open (assigned + processing) tickets / capacity of agents with a
  profile, at request time (a snapshot, not a period figure).
"""

from __future__ import annotations

import statistics
from datetime import datetime

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

GROUP_BY = ("category", "priority", "queue", "agent", "region", "channel")
TICKET_KPIS = ("volume", "closed", "resolution_rate", "first_response_minutes",
               "handling_minutes", "response_sla", "resolution_sla", "reopen_rate",
               "routing_acceptance", "csat_average", "csat_response_rate")


def _province(prefix: str = ""):
    """Province short name from a region like 浙江省杭州市…: two characters, three for 黑龙江
    and 内蒙古."""
    field = f"{prefix}region"
    return Case(When(**{f"{field}__startswith": "黑龙江"}, then=Substr(field, 1, 3)),
                When(**{f"{field}__startswith": "内蒙古"}, then=Substr(field, 1, 3)),
                default=Substr(field, 1, 2))


def _group_fields(group_by: str | None, prefix: str = "") -> tuple[dict, str | None]:
    """({alias: expression}, label field) for values(); empty for overall."""
    if not group_by:
        return {}, None
    p = prefix
    return {
        "category": ({"key": F(f"{p}category__code")}, f"{p}category__name"),
        "priority": ({"key": F(f"{p}priority")}, None),
        "queue": ({"key": F(f"{p}queue__code")}, f"{p}queue__name"),
        "agent": ({"key": F(f"{p}owner__username")}, f"{p}owner__first_name"),
        "region": ({"key": _province(p)}, None),
        "channel": ({"key": F(f"{p}channel")}, None),
    }[group_by]


def _minutes(value) -> float | None:
    if value is None:
        return None
    if hasattr(value, "total_seconds"):
        return round(value.total_seconds() / 60, 1)
    return round(float(value) / 60e6, 1)  # microseconds (SQLite averages of durations)


def _mean_minutes(total, n) -> float | None:
    if not n or total is None:
        return None
    if hasattr(total, "total_seconds"):
        return round(total.total_seconds() / 60 / n, 1)
    return round(float(total) / 60e6 / n, 1)  # microseconds (SQLite sums of durations)


def _summed(rows: list[dict]) -> dict:
    """The overall row from a partition's rows (every figure is a sum or a count)."""
    total: dict = {}
    for row in rows:
        for key, value in row.items():
            if key in ("key", "label") or value is None:
                continue
            total[key] = total[key] + value if key in total else value
    return total


def _rate(part, whole) -> float | None:
    return round(part / whole, 4) if whole else None


def _ticket_rows(tickets, start, end, as_of, group_by):
    from tickets.models import TicketEvent

    keys, label = _group_fields(group_by)
    qs = tickets.filter(created_at__gte=start, created_at__lt=end)
    # Semi-joins on the period's audit rows (a hashed sub-plan on PostgreSQL; a per-ticket
    # EXISTS would be 100,000 probes). Events of these tickets are never older than `start`.
    events = TicketEvent.objects.filter(created_at__gte=start)
    assigned = events.filter(kind="assignment").values("ticket_id")
    handed = events.filter(kind="transition", data__transition__in=["release", "transfer"]
                           ).values("ticket_id")
    first_response = ExpressionWrapper(F("first_responded_at") - F("created_at"),
                                       output_field=DurationField())
    handling = ExpressionWrapper(F("resolved_at") - F("created_at"),
                                 output_field=DurationField())
    resolved_in = Q(resolved_at__isnull=False, resolved_at__lt=end)
    aggregates = {
        "volume": Count("id"),
        "closed": Count("id", filter=Q(closed_at__isnull=False, closed_at__lt=end)),
        # sums and counts rather than means: the overall row is the sum of the group rows
        "frt_sum": Sum(first_response, filter=Q(first_responded_at__isnull=False)),
        "frt_n": Count("id", filter=Q(first_responded_at__isnull=False)),
        "handling_sum": Sum(handling, filter=resolved_in),
        "handling_n": Count("id", filter=resolved_in),
        "resp_decided": Count("id", filter=Q(response_due__isnull=False) & (
            Q(first_responded_at__isnull=False) | Q(response_due__lt=as_of))),
        "resp_met": Count("id", filter=Q(first_responded_at__isnull=False,
                                         first_responded_at__lte=F("response_due"))),
        "res_decided": Count("id", filter=Q(resolve_due__isnull=False) & (
            resolved_in | Q(resolve_due__lt=as_of))),
        "res_met": Count("id", filter=resolved_in & Q(resolved_at__lte=F("resolve_due"))),
        "reopened": Count("id", filter=Q(reopen_count__gt=0)),
        "closed_ever": Count("id", filter=Q(closed_at__isnull=False) | Q(reopen_count__gt=0)),
        "assigned": Count("id", filter=Q(pk__in=assigned)),
        # release/transfer needs an owner first: handed ⊆ assigned (no NOT IN needed)
        "handed": Count("id", filter=Q(pk__in=handed)),
    }
    if keys:
        values = [*keys] + ([label] if label else [])
        rows = qs.annotate(**keys).order_by().values(*values).annotate(**aggregates)
        return [dict(r, label=r.get(label) if label else None) for r in rows]
    return [dict(qs.aggregate(**aggregates), key=None, label=None)]


def _csat_rows(surveys, start, end, group_by):
    keys, _label = _group_fields(group_by, prefix="ticket__")
    qs = surveys.filter(created_at__gte=start, created_at__lt=end)
    aggregates = {"sent": Count("id"), "answered": Count("id", filter=Q(score__isnull=False)),
                  "score_sum": Sum("score")}
    if keys:
        return {r["key"]: r for r in qs.annotate(**keys).order_by().values("key")
                .annotate(**aggregates)}
    return {None: qs.aggregate(**aggregates)}


def _bot(start, end) -> dict:
    from chatbot.choices import ConversationStatus
    from chatbot.models import Conversation

    figures = Conversation.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        sessions=Count("id"),
        settled=Count("id", filter=Q(ticket__isnull=True) & ~Q(
            status=ConversationStatus.HANDOFF)),
        handoff=Count("id", filter=Q(ticket__isnull=False) | Q(
            status=ConversationStatus.HANDOFF)))
    return {"chat_sessions": figures["sessions"],
            "bot_self_service_rate": _rate(figures["settled"], figures["sessions"]),
            "handoff_rate": _rate(figures["handoff"], figures["sessions"])}


def _utilisation(group_by) -> dict:
    from routing.models import AgentProfile
    from tickets.choices import Status
    from tickets.models import Ticket

    load = Coalesce(Subquery_count(Ticket, Status), Value(0))
    rows = list(AgentProfile.objects.annotate(load=load).values(
        "user__username", "capacity", "load"))
    if group_by == "agent":
        return {r["user__username"]: _rate(r["load"], r["capacity"]) for r in rows}
    return {None: _rate(sum(r["load"] for r in rows), sum(r["capacity"] for r in rows))}


def Subquery_count(Ticket, Status):  # noqa: N802 - a small expression factory
    from django.db.models import IntegerField, Subquery

    return Subquery(Ticket.objects.filter(owner_id=OuterRef("user_id"), status__in=[
        Status.ASSIGNED, Status.PROCESSING]).order_by().values("owner_id")
        .annotate(n=Count("id")).values("n")[:1], output_field=IntegerField())


def _figures(row: dict, csat: dict | None) -> dict:
    csat = csat or {"sent": 0, "answered": 0, "score_sum": None}
    return {
        "volume": row["volume"], "closed": row["closed"],
        "resolution_rate": _rate(row["closed"], row["volume"]),
        "first_response_minutes": _mean_minutes(row["frt_sum"], row["frt_n"]),
        "handling_minutes": _mean_minutes(row["handling_sum"], row["handling_n"]),
        "response_sla": _rate(row["resp_met"], row["resp_decided"]),
        "resolution_sla": _rate(row["res_met"], row["res_decided"]),
        "reopen_rate": _rate(row["reopened"], row["closed_ever"]),
        "routing_acceptance": _rate(row["assigned"] - row["handed"], row["assigned"]),
        "csat_average": (round(csat["score_sum"] / csat["answered"], 2)
                         if csat["answered"] else None),
        "csat_response_rate": _rate(csat["answered"], csat["sent"]),
    }


def root_causes(tickets, start, end) -> list[dict]:
    """Mean handling time per category against the median category: "fee disputes take 30%
    longer than the median category". Categories with no resolved ticket are left out."""
    handling = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    rows = list(tickets.filter(created_at__gte=start, created_at__lt=end,
                               resolved_at__isnull=False, resolved_at__lt=end)
                .order_by().values("category__code", "category__name")
                .annotate(n=Count("id"), handling=Avg(handling)))
    minutes = {r["category__code"]: _minutes(r["handling"]) for r in rows}
    if not minutes:
        return []
    median = statistics.median(minutes.values())
    out = [{"category": r["category__code"], "label": r["category__name"], "tickets": r["n"],
            "handling_minutes": minutes[r["category__code"]], "median_minutes": median,
            "vs_median_pct": round((minutes[r["category__code"]] / median - 1) * 100, 1)
            if median else None} for r in rows]
    out.sort(key=lambda r: (-(r["vs_median_pct"] or 0), r["category"]))
    return out


def compute_kpis(*, user, start: datetime, end: datetime, group_by: str | None = None,
                 now: datetime | None = None) -> dict:
    """{"from", "to", "group_by", "overall": {...}, "groups": [...], "root_causes": [...]}
    over the tickets `user` may see (supervisors and ops: all)."""
    from tickets.models import CsatSurvey
    from tickets.roles import sees_all_tickets
    from tickets.selectors import visible_tickets

    now = now or timezone.now()
    as_of = min(end, now)
    tickets = visible_tickets(user)
    surveys = (CsatSurvey.objects.all() if sees_all_tickets(user)
               else CsatSurvey.objects.filter(ticket__in=tickets.values("pk")))
    rows = _ticket_rows(tickets, start, end, as_of, group_by)
    csat = _csat_rows(surveys, start, end, group_by)
    empty = {"volume": 0, "closed": 0, "frt_n": 0, "handling_n": 0, "resp_decided": 0,
             "resp_met": 0, "res_decided": 0, "res_met": 0, "reopened": 0, "closed_ever": 0,
             "assigned": 0, "handed": 0, "frt_sum": None, "handling_sum": None}
    overall = _figures({**empty, **_summed(rows)},
                       {"sent": 0, "answered": 0, "score_sum": None, **_summed(csat.values())})
    overall.update(_bot(start, end))
    overall["agent_utilisation"] = _utilisation(None)[None]
    groups = []
    if group_by:
        utilisation = _utilisation(group_by) if group_by == "agent" else {}
        for row in rows:
            figures = _figures(row, csat.get(row["key"]))
            if group_by == "agent":
                figures["agent_utilisation"] = utilisation.get(row["key"])
            groups.append({"key": row["key"], "label": row["label"] or row["key"], **figures})
        groups.sort(key=lambda g: (-g["volume"], str(g["key"])))
    return {"from": start, "to": end, "group_by": group_by or None, "overall": overall,
            "groups": groups, "root_causes": root_causes(tickets, start, end)}


def daily_volume(*, start: datetime, end: datetime) -> list[tuple]:
    """(local date, tickets created) per day in [start, end) — the report's trend chart."""
    from django.db.models.functions import TruncDate

    from tickets.roles import system_user
    from tickets.selectors import visible_tickets

    tz = timezone.get_current_timezone()
    return list(visible_tickets(system_user()).filter(created_at__gte=start, created_at__lt=end)
                .annotate(day=TruncDate("created_at", tzinfo=tz)).order_by("day")
                .values("day").annotate(n=Count("id")).values_list("day", "n"))


