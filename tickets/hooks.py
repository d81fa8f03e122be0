"""Plug-in points that other apps fill at start-up. Tickets never imports them (DESIGN.md:
arrows point one way): the chatbot registers here to carry an agent's reply into the
customer's chat session.
"""

from collections.abc import Callable

# handler(ticket=…, comment=…): called inside the comment's transaction, after the comment row
# exists and while the caller holds the ticket's row lock. Handlers write only through their
# own app's actions and schedule their effects after commit.
_customer_reply_handlers: list[Callable] = []


def on_customer_reply(handler: Callable) -> Callable:
    """Registers a handler for staff replies to the customer (public comments). Idempotent."""
    if handler not in _customer_reply_handlers:
        _customer_reply_handlers.append(handler)
    return handler


def customer_reply_handlers() -> tuple[Callable, ...]:
    return tuple(_customer_reply_handlers)


# handler(ticket=…, acting_user=…): called inside the creating transaction, after the ticket,
# its waybills and its CREATED event exist (analytics links a complaint about a parcel of an
# open batch incident to that incident). Same rules as above: own actions, effects after commit.
_ticket_created_handlers: list[Callable] = []
# handler(ticket=…, name=…, from_status=…, acting_user=…): after a transition is saved and
# audited, inside its transaction (analytics settles a batch incident's children on close).
_transition_handlers: list[Callable] = []


def on_ticket_created(handler: Callable) -> Callable:
    """Registers a handler for new tickets. Idempotent."""
    if handler not in _ticket_created_handlers:
        _ticket_created_handlers.append(handler)
    return handler


def ticket_created_handlers() -> tuple[Callable, ...]:
    return tuple(_ticket_created_handlers)


def on_transition(handler: Callable) -> Callable:
    """Registers a handler for state changes. Idempotent."""
    if handler not in _transition_handlers:
        _transition_handlers.append(handler)
    return handler


def transition_handlers() -> tuple[Callable, ...]:
    return tuple(_transition_handlers)


# provider(ticket) → [{"id": …, "title": …}, …]: knowledge-base articles the ticket's replies or
# resolution used (the knowledge app knows which). Quality review (tickets/quality/checks.py)
# flags a category that requires a reference when every provider returns nothing. Read-only.
_kb_reference_providers: list[Callable] = []


def register_kb_reference_provider(provider: Callable) -> Callable:
    """Registers a provider of a ticket's knowledge-base references. Idempotent."""
    if provider not in _kb_reference_providers:
        _kb_reference_providers.append(provider)
    return provider


def kb_references(ticket) -> list[dict]:
    found = []
    for provider in _kb_reference_providers:
        found.extend(provider(ticket) or ())
    return found
