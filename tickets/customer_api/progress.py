"""What a customer reads about their ticket: a stage and a timeline in plain words.

Internal steps (assignment, transfers, reviews sent back, SLA breaches, notifications) are not
shown; the customer sees 已受理 → 正在核实 → 处理结果确认中 → 已解决, and 二次投诉处理中 after a
reopening, plus their own additions and our public replies.
"""

from django.utils.translation import gettext_lazy as _

from tickets.choices import CommentVisibility, EventKind, Status, Transition

STAGES = {
    "accepted": _("Accepted"),
    "verifying": _("Being verified"),
    "confirming": _("Result being confirmed"),
    "resolved": _("Resolved"),
    "reopened": _("Reopened, being handled again"),
}
STAGE_CODES = tuple(STAGES)


def stage_of(ticket) -> str:
    if ticket.status == Status.CLOSED:
        return "resolved"
    if ticket.status == Status.REVIEW:
        return "confirming"
    if ticket.reopen_count:
        return "reopened"
    if ticket.status == Status.PROCESSING:
        return "verifying"
    return "accepted"


_TRANSITION_STEPS = {
    Transition.START: ("verifying", _("A specialist is verifying your case.")),
    Transition.SUBMIT_REVIEW: ("confirming", _("We have a result and are confirming it.")),
    Transition.APPROVE: ("resolved", _("Your case has been resolved.")),
    Transition.REOPEN: ("reopened", _("Your case was reopened and is handled again with "
                                      "priority.")),
}


def timeline(ticket, events, *, customer_user_id) -> list[dict]:
    """Customer-visible steps from the audit trail, oldest first."""
    steps = []
    for event in events:
        step = None
        if event.kind == EventKind.CREATED:
            step = ("accepted", _("We received your request."))
        elif event.kind == EventKind.TRANSITION:
            step = _TRANSITION_STEPS.get(event.data.get("transition"))
        elif event.kind == EventKind.COMMENT and (
                event.data.get("visibility") == CommentVisibility.PUBLIC):
            step = (("info_added", _("You added information.")) if event.actor_id ==
                    customer_user_id else ("reply", _("Customer service replied.")))
        elif event.kind == EventKind.ATTACHMENT and event.actor_id == customer_user_id:
            step = ("evidence_added", _("You uploaded evidence."))
        elif event.kind == EventKind.CSAT:
            step = ("rated", _("You rated our service."))
        elif event.kind == getattr(EventKind, "STATION_TASK", None):  # stations' 网点核实
            step = ("station_checking", _("The delivery station is checking your parcel."))
        elif event.kind == getattr(EventKind, "STATION_REPLY", None):
            step = ("station_replied", _("The delivery station has replied."))
        if step is None:
            continue
        code, text = step
        if steps and steps[-1]["step"] == code and code in STAGES:
            continue  # e.g. started again after a review was sent back: still "verifying"
        steps.append({"step": code, "label": str(STAGES.get(code, "")) or str(text),
                      "text": str(text), "at": event.created_at})
    return steps
