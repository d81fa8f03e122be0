"""Every routing write (HOUSE_STYLE.md): route a ticket, drain to an agent, set an agent's
status, alert on waits, escalate response breaches, learn performance, edit the skill matrix.

Ticket changes go through tickets' actions (do_transition, do_update_ticket, record_event,
notify_supervisors). Lock order, everywhere: the ticket row first, then agent profile rows in
primary-key order; the drain, which holds one profile, takes tickets with SKIP LOCKED and so
never waits on a ticket (routing/README.md).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from config.effects import enqueue_on_commit, send_event_on_commit
from config.errors import DomainError, Forbidden
from routing import roster, rules
from routing.choices import AgentStatus, AlertKind, EscalationPolicy, Trigger
from routing.models import (
    AgentPerformance,
    AgentProfile,
    AgentSkill,
    Queue,
    RoutingAlert,
    RoutingDecision,
)
from routing.selectors import (
    OPEN,
    candidate_list,
    open_loads,
    ticket_facts,
    waiting_tickets,
)
from routing.strategies import Candidate, Scored, get_strategy
from tickets.actions import do_transition, do_update_ticket, notify_supervisors, record_event
from tickets.choices import EventKind, Status, Transition
from tickets.models import CsatSurvey, Ticket, TicketWaybill
from tickets.roles import Role, has_role, system_user
from tickets.selectors import access_ticket

logger = logging.getLogger(__name__)
User = get_user_model()


def _user_ref(candidate: Candidate):
    # The transition only needs the owner's id; avoids a users query per assignment.
    return User(pk=candidate.user_id, username=candidate.username)


def _apply_rule(ticket: Ticket, match: rules.Match, *, acting_user) -> None:
    """Queue, priority and tags from the matched rule, through tickets' update action."""
    rule = match.rule
    if rule is None:
        return
    changes = {}
    if rule.queue_id and rule.queue_id != ticket.queue_id:
        changes["queue_id"] = rule.queue_id
    if rule.add_tags and set(rule.add_tags) - set(ticket.tags or ()):
        changes["tags"] = sorted(set(ticket.tags or ()) | set(rule.add_tags))
    priority = rule.priority_override or None
    if priority == ticket.priority:
        priority = None
    if changes or priority:
        do_update_ticket(ticket, acting_user=acting_user, priority=priority,
                         reason=_("Routing rule “%(name)s”") % {"name": rule.name}, **changes)
        if "queue_id" in changes:
            ticket.queue = Queue.objects.get(pk=rule.queue_id)


def _lock_and_pick(ranked: list[Scored]) -> Scored | None:
    """The best ranked candidate that still has room, counted under the profile row locks.

    Locks a batch of the best candidates in primary-key order (no deadlock between routers),
    then recounts their open tickets with a fresh statement: a concurrent assignment that
    committed before we got the lock is counted, one that waits behind us is not there yet.
    """
    batch = settings.ROUTING_LOCK_BATCH
    for start in range(0, len(ranked), batch):
        chunk = ranked[start:start + batch]
        ids = [s.candidate.user_id for s in chunk]
        list(AgentProfile.objects.select_for_update().filter(user_id__in=ids)
             .order_by("pk").values_list("pk", flat=True))
        capacities = dict(AgentProfile.objects.filter(
            user_id__in=ids, status=AgentStatus.ONLINE).values_list("user_id", "capacity"))
        loads = open_loads(ids)
        for scored in chunk:
            uid = scored.candidate.user_id
            if uid in capacities and loads[uid] < capacities[uid]:
                scored.candidate.load = loads[uid]
                return scored
    return None


def _decide(ticket: Ticket, queue: Queue, facts, match, *, exclude=()):
    candidates = candidate_list(queue_id=queue.pk, category_id=ticket.category_id,
                                skill_ids=match.skill_ids, required_ids=match.required_ids,
                                region=facts.region, exclude_user_ids=exclude)
    strategy = get_strategy(queue.strategy)
    eligible = [c for c in candidates if c.free > 0]
    return candidates, strategy, strategy.rank(eligible)


def _trace(candidates, ranked, strategy=None) -> list[dict]:
    """Every candidate considered, best first: score, skills, performance, load; the ones at
    capacity are listed too, marked not eligible."""
    scores = {s.candidate.user_id: s for s in ranked}
    out = []
    for c in candidates:
        scored = scores.get(c.user_id) or Scored(c, strategy.score(c) if strategy else 0.0)
        row = scored.as_dict()
        row["eligible"] = c.user_id in scores
        if not row["eligible"]:
            row["excluded"] = "at_capacity"
        out.append(row)
    out.sort(key=lambda r: (not r["eligible"], -r["score"], r["user_id"]))
    return out


def _store(ticket, *, trigger, match, queue, strategy, winner, reason, trace):
    return RoutingDecision.objects.create(
        ticket=ticket, trigger=trigger, rule_id=match.rule.id if match and match.rule else None,
        rule_name=match.rule.name if match and match.rule else "", queue=queue,
        strategy=strategy, winner_id=winner, reason=reason[:300], candidates=trace)


def _assign(ticket, scored: Scored, *, acting_user, transition=Transition.ASSIGN, note=""):
    now = timezone.now()
    do_transition(ticket, transition, acting_user=acting_user, note=note,
                  data={"routing": True, "score": round(scored.score, 4)},
                  assignee=_user_ref(scored.candidate))
    AgentProfile.objects.filter(user_id=scored.candidate.user_id).update(last_assigned_at=now)


def check_route_ticket(*, ticket_id: int, trigger: str = Trigger.CREATED,
                       exclude_user_id: int | None = None) -> RoutingDecision | None:
    """Routes one ticket: a waiting one (received) to the best agent, a reopened one to the
    expert queue. No eligible agent: it waits in its queue. None when there was nothing to do
    (ticket gone, or no longer waiting, or nobody to even consider).

    The system user sees every ticket, so the row is locked directly with its customer (whose
    tags rules read) and queue: one query instead of access_ticket's lock plus two reads."""
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",)).select_related("customer", "queue")
                  .filter(pk=ticket_id).first())
        if ticket is None:
            return None
        if trigger == Trigger.REOPENED:
            return _route_reopened(ticket, acting_user=system_user())
        if ticket.status != Status.RECEIVED:
            return None
        return do_route_ticket(ticket, trigger=trigger, exclude=(exclude_user_id,))


def do_route_ticket(ticket: Ticket, *, trigger: str, acting_user=None, exclude=()):
    """Caller holds the ticket's row lock; the ticket is `received`. The acting user defaults
    to the system user, fetched only when something is written to the ticket."""
    facts = ticket_facts(ticket)
    match = rules.match(facts)
    if match.rule is not None and (match.rule.queue_id or match.rule.add_tags
                                   or match.rule.priority_override):
        acting_user = acting_user or system_user()
        _apply_rule(ticket, match, acting_user=acting_user)
    queue = ticket.queue
    if queue is None:
        return None
    candidates, strategy, ranked = _decide(ticket, queue, facts, match, exclude=exclude)
    if not candidates and match.rule is None and not AgentProfile.objects.filter(
            user__ticket_queues=queue).exists():
        return None  # a queue without routed agents and no rule: nothing worth a trace
    winner = _lock_and_pick(ranked) if ranked else None
    if winner is None:
        reason = (_("No online agent in %(queue)s has the skills and free capacity; the "
                    "ticket waits in the queue.") % {"queue": queue.name})
        return _store(ticket, trigger=trigger, match=match, queue=queue,
                      strategy=strategy.code, winner=None, reason=reason,
                      trace=_trace(candidates, ranked, strategy))
    reason = _("%(agent)s: best score %(score).3f of %(n)d eligible (%(strategy)s).") % {
        "agent": winner.candidate.username, "score": winner.score, "n": len(ranked),
        "strategy": strategy.code}
    _assign(ticket, winner, acting_user=acting_user or system_user(), note=reason)
    return _store(ticket, trigger=trigger, match=match, queue=queue, strategy=strategy.code,
                  winner=winner.candidate.user_id, reason=reason,
                  trace=_trace(candidates, ranked, strategy))


def _route_reopened(ticket: Ticket, *, acting_user):
    """二次投诉: the ticket moves to the expert queue; its owner is replaced by a better
    expert when one is online with room, else it stays with its owner."""
    if ticket.status not in OPEN:
        return None
    expert = Queue.objects.filter(code=settings.ROUTING_EXPERT_QUEUE).first()
    if expert is None:
        return None
    if ticket.queue_id != expert.pk:
        do_update_ticket(ticket, acting_user=acting_user, queue_id=expert.pk,
                         reason=_("Reopened: expert review queue"))
        ticket.queue = expert
    facts = ticket_facts(ticket)
    match = rules.match(facts)
    match.rule = None  # the expert queue is the target whatever the rules say
    candidates, strategy, ranked = _decide(ticket, expert, facts, match)
    owner = next((s for s in ranked if s.candidate.user_id == ticket.owner_id), None)
    owner_row = next((c for c in candidates if c.user_id == ticket.owner_id), None)
    if owner_row is not None and owner is None:  # the owner is a member but full: fine
        owner = Scored(owner_row, strategy.score(owner_row))
    better = [s for s in ranked if s.candidate.user_id != ticket.owner_id
              and (owner is None or s.score > owner.score)]
    winner = _lock_and_pick(better) if better else None
    trace = _trace(candidates, ranked, strategy)
    if winner is None:
        reason = _("Reopened: moved to %(queue)s; no better expert is free, the owner "
                   "keeps it.") % {"queue": expert.name}
        return _store(ticket, trigger=Trigger.REOPENED, match=match, queue=expert,
                      strategy=strategy.code, winner=ticket.owner_id, reason=reason,
                      trace=trace)
    reason = _("Reopened: transferred to expert %(agent)s (score %(score).3f).") % {
        "agent": winner.candidate.username, "score": winner.score}
    _assign(ticket, winner, acting_user=acting_user, transition=Transition.TRANSFER,
            note=reason)
    return _store(ticket, trigger=Trigger.REOPENED, match=match, queue=expert,
                  strategy=strategy.code, winner=winner.candidate.user_id, reason=reason,
                  trace=trace)


# --- the waiting queue drains by itself -------------------------------------------------

def do_drain_agent(user_id: int, *, skip_ticket_id: int | None = None) -> int:
    """Gives an online agent with free capacity the best waiting tickets of their queues that
    they have the required skills for. Returns how many were assigned.

    Holds the agent's profile lock for the batch; waiting tickets are locked with SKIP LOCKED,
    so two drains (or a router) never take the same ticket and never wait on each other.
    """
    with transaction.atomic():
        profile = (AgentProfile.objects.select_for_update(of=("self",)).select_related("user")
                   .filter(user_id=user_id, status=AgentStatus.ONLINE, user__is_active=True)
                   .first())
        if profile is None:
            return 0
        load = open_loads([user_id])[user_id]
        if load >= profile.capacity:
            return 0
        queue_ids = list(Queue.members.through.objects.filter(user_id=user_id)
                         .values_list("queue_id", flat=True))
        if not queue_ids:
            return 0
        card = roster.card(user_id)
        levels = card.skills if card else {}
        codes, actor, now = rules.skill_codes(), None, timezone.now()
        decisions, seen = [], {skip_ticket_id} if skip_ticket_id else set()
        while load < profile.capacity:
            # A few more than the room left: some may need a skill this agent lacks.
            qs = (waiting_tickets(queue_ids).exclude(pk__in=seen)
                  .select_for_update(skip_locked=True, of=("self",))
                  .select_related("customer", "queue"))
            batch = list(qs[:profile.capacity - load + 3])
            if not batch:
                break
            seen.update(t.pk for t in batch)
            waybills: dict[int, list[str]] = {}
            if rules.needs_carriers():
                for ticket_id, number in TicketWaybill.objects.filter(
                        ticket_id__in=[t.pk for t in batch]).values_list("ticket_id", "number"):
                    waybills.setdefault(ticket_id, []).append(number)
            actor = actor or system_user()
            for ticket in batch:
                if load >= profile.capacity:
                    break
                facts = ticket_facts(ticket, waybills.get(ticket.pk, []))
                match = rules.match(facts)
                if any(sid not in levels for sid in match.required_ids):
                    continue
                skills = {codes.get(s, str(s)): levels.get(s, 0) for s in match.skill_ids}
                perf = roster.performance(user_id, ticket.category_id)
                candidate = Candidate(
                    user_id=user_id, username=profile.user.username, load=load,
                    capacity=profile.capacity,
                    proficiency=sum(skills.values()) / len(skills) if skills else 0.0,
                    performance=perf if perf is not None else 0.5, skills=skills,
                    region_match=any(r and r in facts.region for r in profile.regions or ()),
                    last_assigned_at=profile.last_assigned_at)
                strategy = get_strategy(ticket.queue.strategy)
                scored = Scored(candidate, strategy.score(candidate))
                reason = _("%(agent)s has room; the best waiting ticket of %(queue)s by "
                           "priority and resolution due.") % {"agent": profile.user.username,
                                                              "queue": ticket.queue.name}
                do_transition(ticket, Transition.ASSIGN, acting_user=actor, note=reason,
                              data={"routing": True, "score": round(scored.score, 4)},
                              assignee=profile.user)
                row = scored.as_dict()
                row["eligible"] = True
                decisions.append(RoutingDecision(
                    ticket=ticket, trigger=Trigger.DRAIN,
                    rule_id=match.rule.id if match.rule else None,
                    rule_name=match.rule.name if match.rule else "", queue=ticket.queue,
                    strategy=strategy.code, winner_id=user_id, reason=reason[:300],
                    candidates=[row], created_at=now))
                load += 1
        if decisions:
            RoutingDecision.objects.bulk_create(decisions)
            profile.last_assigned_at = now
            profile.save(update_fields=["last_assigned_at"])
        return len(decisions)


def do_drain_queues() -> int:
    """Beat safety net: drains to every online agent with room in a queue that has waiting
    tickets (an after-commit drain lost to a crash is made up for here)."""
    waiting_queues = Ticket.objects.filter(status=Status.RECEIVED, queue__isnull=False).values(
        "queue_id")
    user_ids = (Queue.members.through.objects.filter(queue_id__in=waiting_queues)
                .filter(user__agent_profile__status=AgentStatus.ONLINE)
                .values_list("user_id", flat=True).distinct())
    return sum(do_drain_agent(uid) for uid in sorted(set(user_ids)))


# --- agents' status -----------------------------------------------------------------------

def check_set_agent_status(*, user, status: str) -> AgentProfile:
    if status not in AgentStatus.values:
        raise DomainError(_("Unknown status."), code="invalid_status")
    if not has_role(user, Role.AGENT):
        raise Forbidden(_("Only agents have a routing status."))
    with transaction.atomic():
        profile, _created = AgentProfile.objects.get_or_create(user=user)
        profile = AgentProfile.objects.select_for_update().get(pk=profile.pk)
        return do_set_agent_status(profile, status=status, acting_user=user)


def do_set_agent_status(profile: AgentProfile, *, status: str, acting_user) -> AgentProfile:
    """Caller holds the profile's row lock. Coming online drains the agent's queues."""
    if profile.status == status:
        return profile
    now = timezone.now()
    profile.status, profile.status_changed_at = status, now
    fields = ["status", "status_changed_at"]
    if status == AgentStatus.ONLINE:
        profile.last_online_at = now
        fields.append("last_online_at")
        from routing.tasks import drain_agent

        enqueue_on_commit(drain_agent, user_id=profile.user_id)
    profile.save(update_fields=fields)
    send_event_on_commit(["role.supervisor", f"user.{profile.user_id}"], {
        "type": "agent", "op": "update", "user_id": profile.user_id, "status": status,
        "changed_by": acting_user.pk if acting_user else None})
    return profile


# --- alerts and escalation ----------------------------------------------------------------

def do_alert_waiting_tickets(now=None) -> int:
    """Supervisors hear once per ticket when it waits past its queue's threshold. The wait
    counts from the ticket's last change (creation, release, transfer)."""
    now = now or timezone.now()
    alerted = RoutingAlert.objects.filter(ticket_id=OuterRef("pk"), kind=AlertKind.WAIT,
                                          round=OuterRef("reopen_count"))
    count = 0
    for queue in Queue.objects.all():
        cutoff = now - timedelta(minutes=queue.wait_alert_minutes)
        ids = list(Ticket.objects.filter(queue=queue, status=Status.RECEIVED,
                                         updated_at__lt=cutoff)
                   .exclude(Exists(alerted)).values_list("pk", flat=True))
        for ticket_id in ids:
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
                if ticket.status != Status.RECEIVED or RoutingAlert.objects.filter(
                        ticket=ticket, kind=AlertKind.WAIT, round=ticket.reopen_count).exists():
                    continue
                RoutingAlert.objects.create(ticket=ticket, kind=AlertKind.WAIT,
                                            round=ticket.reopen_count, action="supervisor")
                minutes = int((now - ticket.updated_at).total_seconds() // 60)
                record_event(ticket, EventKind.ESCALATION, actor=system_user(),
                             data={"reason": "queue_wait", "queue": queue.code,
                                   "waited_minutes": minutes, "to": "supervisor"})
                notify_supervisors(ticket, _(
                    "Ticket %(number)s has waited %(minutes)d minutes in %(queue)s with no "
                    "free agent.") % {"number": ticket.number, "minutes": minutes,
                                      "queue": queue.name}, key="routing_wait")
                count += 1
    return count


def do_escalate_response_breaches() -> int:
    """Per the queue's policy, a ticket whose response SLA is breached (tickets records the
    breach) is reassigned to another agent, or stays escalated to the supervisor. Once per
    ticket and reopening; the trail gets an ESCALATION event either way."""
    handled = RoutingAlert.objects.filter(ticket_id=OuterRef("pk"),
                                          kind=AlertKind.RESPONSE_BREACH,
                                          round=OuterRef("reopen_count"))
    ids = list(Ticket.objects.filter(
        response_breached_at__isnull=False, first_responded_at__isnull=True,
        status__in=(Status.RECEIVED, Status.ASSIGNED), queue__isnull=False,
    ).exclude(Exists(handled)).values_list("pk", flat=True))
    actor = system_user()
    done = 0
    for ticket_id in ids:
        with transaction.atomic():
            ticket = access_ticket(actor, ticket_id, lock=True)
            if RoutingAlert.objects.filter(ticket=ticket, kind=AlertKind.RESPONSE_BREACH,
                                           round=ticket.reopen_count).exists():
                continue
            done += 1
            queue = ticket.queue
            action = "supervisor"
            data = {"reason": "response_sla_breach", "policy": queue.escalation_policy}
            if queue.escalation_policy == EscalationPolicy.REASSIGN:
                previous = ticket.owner_id
                if ticket.status == Status.ASSIGNED:
                    facts = ticket_facts(ticket)
                    match = rules.match(facts)
                    candidates, strategy, ranked = _decide(ticket, queue, facts, match,
                                                           exclude=(previous,))
                    winner = _lock_and_pick(ranked) if ranked else None
                    if winner is not None:
                        reason = _("Response SLA breached: reassigned to %(agent)s.") % {
                            "agent": winner.candidate.username}
                        _assign(ticket, winner, acting_user=actor,
                                transition=Transition.TRANSFER, note=reason)
                        _store(ticket, trigger=Trigger.BREACH, match=match, queue=queue,
                               strategy=strategy.code, winner=winner.candidate.user_id,
                               reason=reason, trace=_trace(candidates, ranked, strategy))
                        action = "reassign"
                        data.update(to="agent", from_owner=previous,
                                    to_owner=winner.candidate.user_id)
                else:
                    decision = do_route_ticket(ticket, trigger=Trigger.BREACH,
                                               acting_user=actor)
                    if decision is not None and decision.winner_id:
                        action = "reassign"
                        data.update(to="agent", to_owner=decision.winner_id)
            if action == "supervisor":
                data["to"] = "supervisor"
            RoutingAlert.objects.create(ticket=ticket, kind=AlertKind.RESPONSE_BREACH,
                                        round=ticket.reopen_count, action=action)
            record_event(ticket, EventKind.ESCALATION, actor=actor, data=data)
            if action == "supervisor":
                notify_supervisors(ticket, _("Response SLA breached on ticket %(number)s: "
                                             "escalated to the supervisor.")
                                   % {"number": ticket.number}, key="response_breach")
    return done


# --- learned performance --------------------------------------------------------------------

def _performance_score(rate: float, minutes: float, csat: float | None, n: int) -> float:
    speed = min(1.0, settings.ROUTING_TARGET_HANDLE_MINUTES / minutes) if minutes > 0 else 1.0
    satisfaction = (csat - 1) / 4 if csat is not None else 0.5
    raw = 0.4 * rate + 0.3 * speed + 0.3 * satisfaction
    prior = settings.ROUTING_PERFORMANCE_PRIOR  # few tickets: stay near the neutral 0.5
    return (n * raw + prior * 0.5) / (n + prior)


def _with_quality(score: float, quality) -> float:
    """Blends in the reviewers' scorecards (mean total 1–5 over m cards) at weight
    ROUTING_QUALITY_WEIGHT, shrunk toward the agent's own score by ROUTING_PERFORMANCE_PRIOR
    pseudo-cards: one card moves it a little, good reviews raise it, poor ones lower it."""
    weight = settings.ROUTING_QUALITY_WEIGHT
    if not quality or not weight:
        return score
    mean, m = quality
    prior = settings.ROUTING_PERFORMANCE_PRIOR
    shrunk = (m * (mean - 1) / 4 + prior * score) / (m + prior)
    return (1 - weight) * score + weight * shrunk


def do_refresh_performance(now=None, *, user_id=None, category_id=None) -> int:
    """Recomputes AgentPerformance per (agent, category) from closed tickets of the window:
    first-time resolution rate (not reopened), handling time (first response or creation to
    resolution) and CSAT, blended with the reviewers' scorecards of the window (tickets'
    quality review). `user_id`/`category_id` narrow it to one agent or category (after a
    review). Upserts; returns the number of rows."""
    from tickets.selectors import review_score_averages

    now = now or timezone.now()
    since = now - timedelta(days=settings.ROUTING_PERFORMANCE_DAYS)
    closed = Ticket.objects.filter(status=Status.CLOSED, owner__isnull=False,
                                   closed_at__gte=since, merged_into__isnull=True)
    if user_id is not None:
        closed = closed.filter(owner_id=user_id)
    if category_id is not None:
        closed = closed.filter(category_id=category_id)
    quality = review_score_averages(since, user_id=user_id, category_id=category_id)
    rows = list(closed.values_list("pk", "owner_id", "category_id", "reopen_count",
                                   "created_at", "first_responded_at", "resolved_at"))
    csat = dict(CsatSurvey.objects.filter(ticket__in=closed, score__isnull=False)
                .values_list("ticket_id", "score"))
    groups: dict[tuple[int, int], list] = {}
    for pk, owner, category, reopened, created, responded, resolved in rows:
        minutes = ((resolved - (responded or created)).total_seconds() / 60
                   if resolved else 0.0)
        groups.setdefault((owner, category), []).append((reopened == 0, max(minutes, 0.0),
                                                         csat.get(pk)))
    objs = []
    for owner, category in sorted(set(groups) | set(quality)):
        items = groups.get((owner, category), [])
        n = len(items)
        rate = sum(1 for ok, _m, _c in items if ok) / n if n else 0.0
        minutes = sum(m for _ok, m, _c in items) / n if n else 0.0
        scores = [c for _ok, _m, c in items if c is not None]
        avg_csat = sum(scores) / len(scores) if scores else None
        base = _performance_score(rate, minutes, avg_csat, n) if n else 0.5
        objs.append(AgentPerformance(
            user_id=owner, category_id=category, handled=n, resolution_rate=rate,
            avg_handle_minutes=minutes, csat=avg_csat,
            score=_with_quality(base, quality.get((owner, category)))))
    if objs:
        AgentPerformance.objects.bulk_create(
            objs, update_conflicts=True, unique_fields=["user", "category"],
            update_fields=["handled", "resolution_rate", "avg_handle_minutes", "csat", "score",
                           "updated_at"])
        roster.clear()
    return len(objs)


# --- the skill matrix (admin grid) ------------------------------------------------------------

def do_save_skill_matrix(changes: dict[tuple[int, int], int], *, acting_user) -> int:
    """Writes changed cells {(profile_id, skill_id): 0–5} in one transaction; 0 removes the
    skill. Returns the number of cells written."""
    if any(not 0 <= level <= 5 for level in changes.values()):
        raise DomainError(_("Proficiency is 0 to 5."), code="invalid_proficiency")
    with transaction.atomic():
        removed = [k for k, v in changes.items() if v == 0]
        for profile_id, skill_id in removed:
            AgentSkill.objects.filter(profile_id=profile_id, skill_id=skill_id).delete()
        kept = [AgentSkill(profile_id=p, skill_id=s, proficiency=v)
                for (p, s), v in changes.items() if v]
        if kept:
            AgentSkill.objects.bulk_create(kept, update_conflicts=True,
                                           unique_fields=["profile", "skill"],
                                           update_fields=["proficiency"])
    roster.clear()  # bulk writes send no signals
    logger.info("skill matrix: %d cells changed by %s", len(changes), acting_user)
    return len(changes)
