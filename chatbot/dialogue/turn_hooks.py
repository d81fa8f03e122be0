"""Handlers that may settle a customer's turn before the dialogue serves it (stations register
here at start-up: a recipient answering a courier's address check in the chat). The chatbot never
imports them.

handler(customer=…, text=…, understanding=…) → None, or {"text", "buttons"?}. A handler must
return None for anything it is not sure is meant for it; the first answer wins.
"""

from collections.abc import Callable

_handlers: list[Callable] = []


def register_turn_hook(handler: Callable) -> Callable:
    """Idempotent."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def settle(*, customer, text: str, understanding: dict) -> dict | None:
    for handler in _handlers:
        reply = handler(customer=customer, text=text, understanding=understanding)
        if reply:
            return reply
    return None
