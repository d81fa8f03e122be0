"""The state machine's actions: lock, check state and role, transition, audit, push."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransition

from config.effects import enqueue_on_commit
from config.errors import DomainError
from routing.models import Queue
from tickets import sla
from tickets.actions.common import (
    TicketError,
    check_transition_allowed,
    push_ticket,
    record_event,
)
from tickets.choices import EventKind, Status, Transition, raised
from tickets.models import CsatSurvey, Ticket
from tickets.roles import Role, has_role
from tickets.selectors import access_ticket

# Transitions that change a queue's waiting or breached counts (supervisors' figures).
_MOVES_QUEUE_FIGURES = {Transition.ASSIGN, Transition.RELEASE, Transition.TRANSFER,
                        Transition.APPROVE, Transition.REOPEN}
_FIELD_LABELS = {"note": _lazy("note"), "reason": _lazy("reason")}


def _required(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("This transition needs a %(field)s.")
                          % {"field": _FIELD_LABELS.get(field, field)},
                          code="missing_fields", extra={"fields": [field]})
    return text


def _agent(user_id):
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not has_role(user, Role.AGENT):
        raise DomainError(_("The assignee must be an active agent."), code="invalid_assignee")
    return user


def _queue(queue_id) -> Queue:
    queue = Queue.objects.filter(pk=queue_id).first()
    if queue is None:
        raise DomainError(_("Unknown queue."), code="unknown_queue")
    return queue


def do_transition(ticket: Ticket, name: str, *, acting_user, note: str = "",
                  data: dict | None = None, update_fields=(), **kwargs) -> Ticket:
    """Runs transition `name` on a locked ticket, saves only what changed, audits, pushes.

    Caller holds the row lock inside a transaction and has checked permission. A stale copy
    (the state changed in the database since it was read) raises the 409 `conflict` error.
    """
    from_status = ticket.status
    previous_owner = ticket.owner_id
    getattr(ticket, name)(**kwargs)
    fields = {"status", "owner", "first_responded_at", "resolved_at", "closed_at", "escalated",
              "priority", "reopen_count", "updated_at", *update_fields}
    try:
        ticket.save(update_fields=sorted(fields))
    except ConcurrentTransition:
        raise TicketError.conflict() from None
    record_event(ticket, EventKind.TRANSITION, actor=acting_user, from_status=from_status,
                 to_status=ticket.status, note=note,
                 data={"transition": name, **(data or {})})
    if ticket.owner_id != previous_owner:
        record_event(ticket, EventKind.ASSIGNMENT, actor=acting_user, note=note,
                     data={"from_owner": previous_owner, "to_owner": ticket.owner_id})
    gone = [f"user.{previous_owner}"] if previous_owner and previous_owner != ticket.owner_id \
        else []
    if (data or {}).get("from_queue"):
        gone.append(f"queue.{data['from_queue']}")
    # Reviewers see every ticket: one leaving review is taken off their list.
    extra = ["role.reviewer"] if from_status == Status.REVIEW else []
    push_ticket(ticket, op="update", change=name, extra_groups=extra, gone_from=gone,
                data={"from_status": from_status}, figures=name in _MOVES_QUEUE_FIGURES)
    _schedule_routing(ticket, name, from_status=from_status, previous_owner=previous_owner,
                      data=data)
    from tickets.hooks import transition_handlers

    for handler in transition_handlers():  # e.g. analytics: a closed incident's children
        handler(ticket=ticket, name=name, from_status=from_status, acting_user=acting_user)
    return ticket


def _schedule_routing(ticket: Ticket, name: str, *, from_status: str, previous_owner,
                      data: dict | None) -> None:
    """After commit: a released ticket (or one transferred to a queue) is routed again, away
    from the agent who let it go; an agent whose ticket left assigned/processing has room,
    so their queues drain to them (routing/README.md)."""
    from routing.tasks import drain_agent, route_ticket  # routing imports tickets

    if name == Transition.RELEASE:
        trigger = "transfer" if (data or {}).get("to_queue") else "release"
        enqueue_on_commit(route_ticket, ticket_id=ticket.pk, trigger=trigger,
                          exclude_user_id=previous_owner)
    busy = (Status.ASSIGNED, Status.PROCESSING)
    if previous_owner and from_status in busy and (
            ticket.status not in busy or ticket.owner_id != previous_owner):
        enqueue_on_commit(drain_agent, user_id=previous_owner, skip_ticket_id=ticket.pk)


def _run(user, ticket_id, name, body):
    with transaction.atomic():
        ticket = access_ticket(user, ticket_id, lock=True)
        check_transition_allowed(ticket, name, user)
        return body(ticket)


def check_assign_ticket(*, user, ticket_id, assignee_id, note: str = "") -> Ticket:
    assignee = _agent(assignee_id)
    return _run(user, ticket_id, Transition.ASSIGN, lambda t: do_transition(
        t, Transition.ASSIGN, acting_user=user, note=note, assignee=assignee))


def check_release_ticket(*, user, ticket_id, reason: str = "") -> Ticket:
    return _run(user, ticket_id, Transition.RELEASE, lambda t: do_transition(
        t, Transition.RELEASE, acting_user=user, note=reason))


def check_transfer_ticket(*, user, ticket_id, reason: str, assignee_id=None,
                          queue_id=None) -> Ticket:
    """To another agent (→ assigned), or back to a queue (→ received in that queue).

    The context, comments and history stay on the ticket; the reason is audited.
    """
    reason = _required(reason, "reason")
    if assignee_id is None and queue_id is None:
        raise DomainError(_("Name an agent or a queue to transfer to."),
                          code="missing_fields", extra={"fields": ["assignee", "queue"]})
    assignee = _agent(assignee_id) if assignee_id is not None else None
    queue = _queue(queue_id) if queue_id is not None else None

    def body(ticket):
        data = {}
        if queue is not None and queue.pk != ticket.queue_id:
            data = {"from_queue": ticket.queue_id, "to_queue": queue.pk}
            ticket.queue = queue
        if assignee is None:
            return do_transition(ticket, Transition.RELEASE, acting_user=user, note=reason,
                                 data=data, update_fields=("queue",))
        return do_transition(ticket, Transition.TRANSFER, acting_user=user, note=reason,
                             data=data, update_fields=("queue",), assignee=assignee)

    name = Transition.TRANSFER if assignee is not None else Transition.RELEASE
    return _run(user, ticket_id, name, body)


def check_start_ticket(*, user, ticket_id, note: str = "") -> Ticket:
    return _run(user, ticket_id, Transition.START, lambda t: do_transition(
        t, Transition.START, acting_user=user, note=note))


def check_submit_review(*, user, ticket_id, note: str) -> Ticket:
    """Template fields, automatic checks and the sampling policy: tickets/actions/review.py."""
    from tickets.actions.review import do_submit_review  # review.py builds on this module

    note = _required(note, "note")
    return _run(user, ticket_id, Transition.SUBMIT_REVIEW,
                lambda t: do_submit_review(t, acting_user=user, note=note))


def check_approve_review(*, user, ticket_id, note: str = "") -> Ticket:
    return _run(user, ticket_id, Transition.APPROVE,
                lambda t: do_approve_review(t, acting_user=user, note=note))


def do_approve_review(ticket: Ticket, *, acting_user, note: str = "",
                      data: dict | None = None) -> Ticket:
    """Closes the ticket and sends the satisfaction survey to its customer. `data` goes into
    the audit entry (the sampling policy of an automatic approval, a reviewer's scorecard)."""
    from tickets.actions.notify import do_enqueue_notification

    do_transition(ticket, Transition.APPROVE, acting_user=acting_user, note=note, data=data)
    if ticket.customer_id:
        survey = CsatSurvey.objects.create(ticket=ticket)
        do_enqueue_notification(
            channel="sms", recipient=ticket.customer.phone, ticket=ticket,
            subject=_("Satisfaction survey"),
            body=_("Your ticket %(number)s has been resolved. Please rate our service (1–5).")
            % {"number": ticket.number},
            payload={"kind": "csat", "survey_id": survey.pk}, dedupe_key=f"csat:{survey.pk}")
    return ticket


def check_reject_review(*, user, ticket_id, reason: str) -> Ticket:
    reason = _required(reason, "reason")
    return _run(user, ticket_id, Transition.REJECT, lambda t: do_transition(
        t, Transition.REJECT, acting_user=user, note=reason))


def check_reopen_ticket(*, user, ticket_id, reason: str) -> Ticket:
    reason = _required(reason, "reason")
    return _run(user, ticket_id, Transition.REOPEN,
                lambda t: do_reopen_ticket(t, acting_user=user, reason=reason))


def do_reopen_ticket(ticket: Ticket, *, acting_user, reason: str) -> Ticket:
    """二次投诉: back to processing, escalated, one priority level up, fresh SLA clocks."""
    from tickets.actions.sla import notify_supervisors

    old_priority, new_priority = ticket.priority, raised(ticket.priority)
    ticket.response_due, ticket.resolve_due = sla.deadlines(new_priority, ticket.category_id,
                                                            timezone.now(),
                                                            queue_id=ticket.queue_id)
    ticket.response_breached_at = ticket.resolve_breached_at = None
    do_transition(ticket, Transition.REOPEN, acting_user=acting_user, note=reason,
                  data={"from_priority": old_priority, "to_priority": new_priority},
                  update_fields=("response_due", "resolve_due", "response_breached_at",
                                 "resolve_breached_at"))
    record_event(ticket, EventKind.ESCALATION, actor=acting_user, note=reason,
                 data={"reason": "reopened", "priority": ticket.priority})
    notify_supervisors(ticket, _("Ticket %(number)s was reopened (二次投诉): %(reason)s")
                       % {"number": ticket.number, "reason": reason}, key="reopen")
    from routing.tasks import route_ticket  # to the expert queue (routing/README.md)

    enqueue_on_commit(route_ticket, ticket_id=ticket.pk, trigger="reopen")
    return ticket


def check_merge_into(*, user, ticket_id, into_id=None, reason: str = "") -> Ticket:
    """The `merge` transition: tickets/actions/merge.py (duplicates of one customer's parcel)."""
    from tickets.actions.merge import check_merge_ticket  # merge.py builds on this module

    if into_id is None:
        raise DomainError(_("Name the ticket to merge into."), code="missing_fields",
                          extra={"fields": ["into"]})
    check_merge_ticket(user=user, ticket_id=ticket_id, into_id=into_id, reason=reason)
    return Ticket.objects.get(pk=ticket_id)


TRANSITION_ACTIONS = {
    Transition.ASSIGN: check_assign_ticket,
    Transition.RELEASE: check_release_ticket,
    Transition.TRANSFER: check_transfer_ticket,
    Transition.START: check_start_ticket,
    Transition.SUBMIT_REVIEW: check_submit_review,
    Transition.APPROVE: check_approve_review,
    Transition.REJECT: check_reject_review,
    Transition.REOPEN: check_reopen_ticket,
    Transition.MERGE: check_merge_into,
}

