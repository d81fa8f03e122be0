"""Batch incidents (a parent ticket ⇄ its children): the writes analytics needs, kept here so
that every change to a ticket stays a tickets action with its audit row and live push."""

from tickets.actions.common import push_ticket, record_event
from tickets.choices import EventKind
from tickets.models import Ticket


def do_link_to_incident(ticket: Ticket, *, incident: Ticket, acting_user, note: str = "") -> bool:
    """Makes `ticket` a child of the batch incident. Caller holds a transaction (and, for a
    ticket others may edit, its row lock). False when nothing changed."""
    if ticket.pk == incident.pk or ticket.parent_id == incident.pk:
        return False
    previous = ticket.parent_id
    ticket.parent = incident
    ticket.save(update_fields=["parent", "updated_at"])
    record_event(ticket, EventKind.FIELD_CHANGE, actor=acting_user, note=note,
                 data={"changes": {"parent": [previous, incident.pk]},
                       "incident": incident.number})
    push_ticket(ticket, op="update", change="incident")
    return True


def do_update_incident_context(incident: Ticket, *, acting_user, updates: dict,
                               title: str | None = None, note: str = "") -> bool:
    """Merges `updates` into the incident's context (its evidence) and optionally retitles it.

    The audit row names the keys that changed, not their (large) values; the context itself
    always holds the latest evidence. Caller holds the row lock. False when nothing changed.
    """
    context = dict(incident.context or {})
    changed = sorted(k for k, v in updates.items() if context.get(k) != v)
    fields = []
    if changed:
        context.update(updates)
        incident.context = context
        fields.append("context")
    if title is not None and title[:200] != incident.title:
        incident.title = title[:200]
        fields.append("title")
    if not fields:
        return False
    incident.save(update_fields=[*fields, "updated_at"])
    record_event(incident, EventKind.FIELD_CHANGE, actor=acting_user, note=note,
                 data={"context_keys": changed, **({"title": incident.title}
                                                   if "title" in fields else {})})
    push_ticket(incident, op="update", change="incident")
    return True
