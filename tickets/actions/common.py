"""Pieces every ticket action shares: the error family, the audit row, the live push."""

from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from config.effects import send_event_on_commit
from config.errors import DomainError, Forbidden
from tickets.choices import Status, Transition
from tickets.models import Ticket, TicketEvent


class TicketError(DomainError):
    @classmethod
    def not_allowed(cls, ticket: Ticket, transition: str) -> "TicketError":
        return cls(
            _("Transition “%(name)s” is not allowed while the ticket is %(status)s.")
            % {"name": Transition(transition).label, "status": ticket.get_status_display()},
            code="transition_not_allowed", status=409,
            extra={"status": ticket.status, "transition": transition},
        )

    @classmethod
    def conflict(cls) -> "TicketError":
        return cls(_("The ticket was changed by someone else; reload and try again."),
                   code="conflict", status=409)


def check_transition_allowed(ticket: Ticket, name: str, user) -> None:
    """409 when the state forbids the transition, 403 when this user's role does."""
    method = getattr(ticket, name)
    if not can_proceed(method):
        raise TicketError.not_allowed(ticket, name)
    if not has_transition_perm(method, user):
        raise Forbidden(_("Your role may not do “%(name)s” on this ticket.")
                        % {"name": Transition(name).label})


def record_event(ticket: Ticket, kind: str, *, actor, from_status: str = "", to_status: str = "",
                 note: str = "", data: dict | None = None) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, kind=kind, actor=actor,
                                      from_status=from_status, to_status=to_status,
                                      note=note, data=data or {})


def ticket_groups(ticket: Ticket) -> list[str]:
    """Who sees a change: the owner, the queue's members, supervisors; reviewers for review."""
    groups = ["role.supervisor"]
    if ticket.owner_id:
        groups.append(f"user.{ticket.owner_id}")
    if ticket.queue_id:
        groups.append(f"queue.{ticket.queue_id}")
    if ticket.status == Status.REVIEW:
        groups.append("role.reviewer")
    return groups


def push_ticket(ticket: Ticket, *, op: str, change: str, extra_groups=()) -> None:
    event = {
        "type": "ticket", "op": op, "change": change, "id": ticket.pk,
        "number": ticket.number, "status": ticket.status, "priority": ticket.priority,
        "owner_id": ticket.owner_id, "queue_id": ticket.queue_id,
        "title": ticket.title,
    }
    send_event_on_commit([*ticket_groups(ticket), *extra_groups], event)
