"""Edits outside the state machine: priority (with new SLA deadlines) and plain fields."""

from django.db import transaction
from django.utils.translation import gettext as _

from config.errors import DomainError, Forbidden
from tickets import sla
from tickets.actions.common import push_ticket, record_event
from tickets.choices import EventKind, Priority, Status
from tickets.models import Category, Ticket
from tickets.roles import Role, has_role
from tickets.selectors import access_ticket

EDITABLE_FIELDS = ("title", "description", "region", "tags")


def _check_may_edit(user, ticket: Ticket) -> None:
    if has_role(user, Role.SUPERVISOR, Role.SYSTEM):
        return
    if has_role(user, Role.AGENT) and ticket.owner_id == user.pk:
        return
    raise Forbidden(_("Only the owner or a supervisor may edit this ticket."))


def check_update_ticket(*, user, ticket_id, reason: str = "", **changes) -> Ticket:
    """PATCH semantics: only the fields given. `priority` and `category` recompute SLA."""
    unknown = set(changes) - {*EDITABLE_FIELDS, "priority", "category_code"}
    if unknown:
        raise DomainError(_("These fields cannot be changed here."), code="invalid",
                          extra={"fields": sorted(unknown)})
    with transaction.atomic():
        ticket = access_ticket(user, ticket_id, lock=True)
        _check_may_edit(user, ticket)
        if ticket.status == Status.CLOSED:
            raise DomainError(_("A closed ticket cannot be edited; reopen it first."),
                              code="ticket_closed", status=409)
        category = None
        if "category_code" in changes:
            category = Category.objects.filter(code=changes.pop("category_code"),
                                               active=True).first()
            if category is None:
                raise DomainError(_("Unknown category."), code="unknown_category")
        priority = changes.pop("priority", None)
        if priority is not None and priority not in Priority.values:
            raise DomainError(_("Unknown priority."), code="invalid_priority")
        return do_update_ticket(ticket, acting_user=user, reason=reason, category=category,
                                priority=priority, **changes)


def do_update_ticket(ticket: Ticket, *, acting_user, reason: str = "", category=None,
                     priority=None, **changes) -> Ticket:
    """Caller holds the row lock. Audits each changed field; returns early if none changed."""
    changed = {}
    for field, value in changes.items():
        if field == "tags":
            value = sorted(set(value))
        if getattr(ticket, field) != value:
            changed[field] = [getattr(ticket, field), value]
            setattr(ticket, field, value)
    if category is not None and category.pk != ticket.category_id:
        changed["category"] = [ticket.category.code, category.code]
        ticket.category = category
    old_priority = ticket.priority
    if priority is not None and priority != ticket.priority:
        ticket.priority = priority
    if not changed and ticket.priority == old_priority:
        return ticket
    update_fields = [*changed, "updated_at"]
    if ticket.priority != old_priority or "category" in changed:
        # Deadlines count from creation: a new priority does not restart the clock.
        ticket.response_due, ticket.resolve_due = sla.deadlines(
            ticket.priority, ticket.category_id, ticket.created_at, queue_id=ticket.queue_id)
        update_fields += ["priority", "response_due", "resolve_due"]
    ticket.save(update_fields=sorted(set(update_fields)))
    if changed:
        record_event(ticket, EventKind.FIELD_CHANGE, actor=acting_user, note=reason,
                     data={"changes": changed})
    if ticket.priority != old_priority:
        record_event(ticket, EventKind.PRIORITY, actor=acting_user, note=reason,
                     data={"from": old_priority, "to": ticket.priority,
                           "response_due": ticket.response_due and ticket.response_due.isoformat(),
                           "resolve_due": ticket.resolve_due and ticket.resolve_due.isoformat()})
    old_queue = changed.get("queue_id", [None])[0]
    push_ticket(ticket, op="update", change="fields",
                gone_from=[f"queue.{old_queue}"] if old_queue else (),
                figures=bool(old_queue) or ticket.priority != old_priority)
    return ticket
