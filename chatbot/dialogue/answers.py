"""Answer sources: apps that can answer an informational question in one reply (the
knowledge base registers here at start-up; chatbot never imports them).

source(text, understanding, state) → None, or {"text", "buttons", "article": {...}} with
`feedback_key` naming what a "did this help?" reply is about; feedback(key, helpful, conversation)
records that reply. The dialogue asks the sources in registration order and uses the first
answer; a source must return None unless it is confident (never a near miss).
"""

from collections.abc import Callable

_sources: list[Callable] = []
_feedback: list[Callable] = []


def register_answer_source(source: Callable, *, feedback: Callable | None = None) -> Callable:
    """Idempotent."""
    if source not in _sources:
        _sources.append(source)
    if feedback is not None and feedback not in _feedback:
        _feedback.append(feedback)
    return source


def find_answer(text: str, understanding: dict, state: dict) -> dict | None:
    for source in _sources:
        answer = source(text, understanding, state)
        if answer:
            return answer
    return None


def record_feedback(key, helpful: bool, conversation) -> None:
    for handler in _feedback:
        handler(key, helpful, conversation)
