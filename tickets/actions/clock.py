"""Pausing and resuming a ticket's resolution clock.

The clock stops while the ticket waits on someone else: the customer (an agent asked a
question), a station task, customs. Each reason is a string in `sla_pause_reasons`
(`customer`, `customs`, `station_task:<id>`); the clock stops with the first and runs again when
the last one goes, and `resolve_due` moves on by the business time spent paused (the ticket's
calendar). Every pause and resume is a TicketEvent; consoles get a `sla_clock` push.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import DomainError, Forbidden
from tickets import sla
from tickets.actions.common import push_ticket, record_event
from tickets.choices import EventKind, Status
from tickets.models import Ticket
from tickets.roles import Role, has_role
from tickets.selectors import access_ticket

CUSTOMER = "customer"
CUSTOMS = "customs"


def station_task_reason(task_id: int) -> str:
    return f"station_task:{task_id}"


def clock_state(ticket: Ticket) -> dict:
    """What consoles and the customer API show: running or paused, since when, why."""
    return {"paused": ticket.sla_paused_at is not None,
            "paused_at": ticket.sla_paused_at.isoformat() if ticket.sla_paused_at else None,
            "reasons": list(ticket.sla_pause_reasons or []),
            "resolve_due": ticket.resolve_due.isoformat() if ticket.resolve_due else None}


def do_pause_clock(ticket: Ticket, reason: str, *, acting_user, note: str = "",
                   now=None) -> bool:
    """Caller holds the row lock. False when the reason already holds the clock."""
    reasons = list(ticket.sla_pause_reasons or [])
    if reason in reasons or ticket.status == Status.CLOSED:
        return False
    now = now or timezone.now()
    reasons.append(reason)
    ticket.sla_pause_reasons = reasons
    fields = ["sla_pause_reasons", "updated_at"]
    if ticket.sla_paused_at is None:
        ticket.sla_paused_at = now
        fields.append("sla_paused_at")
    ticket.save(update_fields=fields)
    record_event(ticket, EventKind.SLA_PAUSE, actor=acting_user, note=note,
                 data={"reason": reason, "reasons": reasons,
                       "paused_at": ticket.sla_paused_at.isoformat()})
    push_ticket(ticket, op="update", change="sla_clock", data={"clock": clock_state(ticket)})
    return True


def do_resume_clock(ticket: Ticket, reason: str, *, acting_user, note: str = "",
                    now=None) -> bool:
    """Caller holds the row lock. Drops one reason; the last one moves `resolve_due` on by the
    business time spent paused. False when `reason` was not holding the clock."""
    reasons = list(ticket.sla_pause_reasons or [])
    if reason not in reasons:
        return False
    now = now or timezone.now()
    reasons.remove(reason)
    ticket.sla_pause_reasons = reasons
    fields = ["sla_pause_reasons", "updated_at"]
    data = {"reason": reason, "reasons": reasons}
    if not reasons and ticket.sla_paused_at is not None:
        calendar = sla.ticket_calendar(ticket.priority, ticket.category_id, ticket.queue_id)
        paused = calendar.between(ticket.sla_paused_at, now)
        if ticket.resolve_due is not None and ticket.resolved_at is None:
            ticket.resolve_due = calendar.add(ticket.resolve_due,
                                              minutes=paused.total_seconds() / 60)
            fields.append("resolve_due")
        data.update(paused_minutes=round(paused.total_seconds() / 60, 1),
                    paused_at=ticket.sla_paused_at.isoformat(),
                    resolve_due=ticket.resolve_due.isoformat() if ticket.resolve_due else None)
        ticket.sla_paused_at = None
        fields.append("sla_paused_at")
    ticket.save(update_fields=fields)
    record_event(ticket, EventKind.SLA_RESUME, actor=acting_user, note=note, data=data)
    push_ticket(ticket, op="update", change="sla_clock", data={"clock": clock_state(ticket)})
    return True


def check_wait_on_customer(*, user, ticket_id, note: str = "") -> Ticket:
    """An agent asked the customer something: the resolution clock waits for the answer."""
    with transaction.atomic():
        ticket = access_ticket(user, ticket_id, lock=True)
        if not (ticket.owner_id == user.pk or has_role(user, Role.SUPERVISOR, Role.SYSTEM)):
            raise Forbidden(_("Only the owner or a supervisor may stop the clock."))
        if ticket.status == Status.CLOSED:
            raise DomainError(_("The ticket is closed."), code="transition_not_allowed",
                              status=409)
        do_pause_clock(ticket, CUSTOMER, acting_user=user, note=note)
    return ticket


def check_customer_answered(*, user, ticket_id) -> Ticket:
    """The customer answered (or the agent marks it so): the clock runs again."""
    with transaction.atomic():
        ticket = access_ticket(user, ticket_id, lock=True)
        do_resume_clock(ticket, CUSTOMER, acting_user=user)
    return ticket


def set_reason(ticket_id: int, reason: str, active: bool, *, acting_user, note: str = "",
               now=None) -> bool:
    """Pause or resume one reason on a ticket by id (its own transaction and lock)."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket_id)
        if active:
            return do_pause_clock(ticket, reason, acting_user=acting_user, note=note, now=now)
        return do_resume_clock(ticket, reason, acting_user=acting_user, note=note, now=now)


def do_sync_shipment_pauses(now=None) -> dict[str, int]:
    """Beat: open tickets follow their parcels. A parcel in customs pauses the resolution clock
    and its next scan resumes it; a carrier's report of no update for too long (the latest scan
    is kuaidi100 202 / kdniao 403 超时未更新, stored as exception with reason `stuck`), or our own
    stall detection finding it stuck, raises the ticket's urgency once."""
    from logistics import selectors as logistics_selectors
    from tickets.actions.context import do_set_context
    from tickets.actions.updates import do_update_ticket
    from tickets.choices import EventKind, raised
    from tickets.models import TicketWaybill
    from tickets.roles import system_user

    now = now or timezone.now()
    counts = {"paused": 0, "resumed": 0, "escalated": 0}
    open_ids = Ticket.objects.exclude(status=Status.CLOSED).values("pk")
    rows = (TicketWaybill.objects.filter(ticket_id__in=open_ids)
            .values_list("ticket_id", "number"))
    numbers: dict[int, list[str]] = {}
    for ticket_id, number in rows:
        numbers.setdefault(ticket_id, []).append(number)
    wanted = {n for ns in numbers.values() for n in ns}
    shipments = {s.tracking_number: s
                 for s in logistics_selectors.shipments_by_numbers(wanted)}
    no_update = logistics_selectors.reported_no_update(wanted)
    # Tickets paused for customs whose waybills are gone still need a resume check.
    paused = {pk for pk, reasons in Ticket.objects.filter(sla_paused_at__isnull=False)
              .values_list("pk", "sla_pause_reasons") if CUSTOMS in (reasons or [])}
    actor = None
    for ticket_id in set(numbers) | paused:
        parcels = [shipments[n] for n in numbers.get(ticket_id, []) if n in shipments]
        in_customs = any(s.status == "customs" for s in parcels)
        stuck = any((s.stalled and s.stall_reason == "stuck") or s.tracking_number in no_update
                    for s in parcels)
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket_id)
            has_customs = CUSTOMS in (ticket.sla_pause_reasons or [])
            actor = actor or system_user()
            if in_customs and not has_customs and ticket.status != Status.CLOSED:
                counts["paused"] += do_pause_clock(ticket, CUSTOMS, acting_user=actor, now=now,
                                                   note=_("The parcel is in customs."))
            elif has_customs and not in_customs:
                counts["resumed"] += do_resume_clock(ticket, CUSTOMS, acting_user=actor,
                                                     now=now, note=_("Customs: a new scan."))
            if stuck and not (ticket.context or {}).get("carrier_stuck_escalated") \
                    and ticket.status != Status.CLOSED:
                do_set_context(ticket, "carrier_stuck_escalated", now.isoformat())
                do_update_ticket(ticket, acting_user=actor, priority=raised(ticket.priority),
                                 reason=_("The carrier reports no update for too long."))
                ticket.escalated = True
                ticket.save(update_fields=["escalated", "updated_at"])
                record_event(ticket, EventKind.ESCALATION, actor=actor,
                             data={"reason": "carrier_no_update"})
                counts["escalated"] += 1
    return counts
