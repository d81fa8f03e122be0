"""Keys other apps keep in a ticket's `context` (e.g. stations' `station_check` progress)."""

from tickets.models import Ticket


def do_set_context(ticket: Ticket, key: str, value) -> None:
    """Caller holds the row lock. Sets one top-level key of `ticket.context`; None removes it."""
    context = dict(ticket.context or {})
    if value is None:
        if key not in context:
            return
        context.pop(key)
    else:
        if context.get(key) == value:
            return
        context[key] = value
    ticket.context = context
    ticket.save(update_fields=["context", "updated_at"])
