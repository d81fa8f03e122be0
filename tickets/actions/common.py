"""Pieces every ticket action shares: the error family, the audit row, the live push."""

from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from config.effects import enqueue_once_on_commit, send_event_on_commit, send_lazy_event
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


def push_ticket(ticket: Ticket, *, op: str, change: str, extra_groups=(), gone_from=(),
                data: dict | None = None, figures: bool = False) -> None:
    """After commit: the flat ticket event to everyone who may see the ticket now.

    `gone_from`: groups that saw the ticket before this change and may not any more (the
    previous owner, the previous queue); they get only `{"op": "remove", "id"}`, no details.
    `figures`: the change moves queue counts, so supervisors get the queue's figures too.
    """
    event = {
        "type": "ticket", "op": op, "change": change, "id": ticket.pk,
        "number": ticket.number, "status": ticket.status, "priority": ticket.priority,
        "owner_id": ticket.owner_id, "queue_id": ticket.queue_id,
        "title": ticket.title, **(data or {}),
    }
    groups = [*ticket_groups(ticket), *extra_groups]
    send_event_on_commit(groups, event)
    gone = [g for g in dict.fromkeys(gone_from) if g and g not in groups]
    if gone:
        send_event_on_commit(gone, {"type": "ticket", "op": "remove", "change": change,
                                    "id": ticket.pk})
    if figures and ticket.queue_id:
        queue_ids = {ticket.queue_id, *(int(g.split(".")[1]) for g in gone
                                        if g.startswith("queue."))}
        from tickets.tasks import push_queue_figures  # tasks import actions

        ids = sorted(queue_ids)
        enqueue_once_on_commit(push_queue_figures, key=f"queue-figures:{ids}", within=1.0,
                               queue_ids=ids)


def do_push_queue_figures(queue_ids) -> None:
    """Supervisors' live queue figures, read now (after the changes committed)."""
    send_lazy_event("role.supervisor", partial(queue_figures, sorted(queue_ids)))


def queue_figures(queue_ids) -> dict:
    """{"type": "queue", "op": "update", "queues": [...]}: waiting, breached, online agents and
    the oldest wait of each queue, read from the committed state (one query)."""
    from routing.selectors import queue_stats

    rows = queue_stats(timezone.now()).filter(pk__in=list(queue_ids))
    return {"type": "queue", "op": "update", "queues": [
        {"id": q.pk, "code": q.code, "name": q.name, "waiting": q.waiting,
         "breached": q.breached, "online_agents": q.online_agents,
         "oldest_since": q.oldest_since.isoformat() if q.oldest_since else None}
        for q in rows]}
