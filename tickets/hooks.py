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


# Console panels that other apps contribute (knowledge's suggestions, stations' tasks,
# analytics' reports). provider(user, ticket) for a ticket panel, provider(user) for a panel of
# the supervisor page → {"template": "<app>/console/….html", "context": {…}} or None (nothing to
# show to this user). The template lives in the providing app and reads its data from `panel`
# (the context) and `ticket`. `refresh_on`: the live `change` values of a ticket event that
# re-render the panel (console.js). The console renders supervisor panels only to supervisors
# and ops; providers still check their own permissions. Read-only: writes go through the
# providing app's own views and actions.
_ticket_panels: dict[str, dict] = {}
_supervisor_panels: dict[str, dict] = {}


def register_ticket_panel(name: str, provider: Callable, *, refresh_on=()) -> Callable:
    """Registers a panel of the console's ticket page. Idempotent (by name)."""
    _ticket_panels[name] = {"provider": provider, "refresh_on": tuple(refresh_on)}
    return provider


def register_supervisor_panel(name: str, provider: Callable) -> Callable:
    """Registers a panel of the console's supervisor page. Idempotent (by name)."""
    _supervisor_panels[name] = {"provider": provider, "refresh_on": ()}
    return provider


def _render_panels(registry: dict, names, *args) -> list[dict]:
    out = []
    for name in names:
        entry = registry[name]
        found = entry["provider"](*args)
        if found is not None:
            out.append({"name": name, "template": found["template"],
                        "context": found.get("context") or {},
                        "refresh_on": " ".join(entry["refresh_on"])})
    return out


def ticket_panels(user, ticket, *, only: str | None = None) -> list[dict]:
    """[{"name", "template", "context", "refresh_on"}, …] in registration order."""
    names = [only] if only is not None else list(_ticket_panels)
    return _render_panels(_ticket_panels, [n for n in names if n in _ticket_panels],
                          user, ticket)


def supervisor_panels(user, *, only: str | None = None) -> list[dict]:
    names = [only] if only is not None else list(_supervisor_panels)
    return _render_panels(_supervisor_panels, [n for n in names if n in _supervisor_panels],
                          user)


def is_ticket_panel(name: str) -> bool:
    return name in _ticket_panels


def is_supervisor_panel(name: str) -> bool:
    return name in _supervisor_panels
