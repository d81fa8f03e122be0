"""Reads behind the console's pages, all scoped through tickets.selectors (what the user may
see) and other apps' selectors. No writes here."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from config.masking import mask_phone
from routing.models import Queue
from tickets.choices import CommentVisibility, EventKind, Status, Transition
from tickets.models import TicketEvent
from tickets.roles import Role
from tickets.selectors import ticket_events, ticket_list

ACTIVE = (Status.ASSIGNED, Status.PROCESSING)
OPEN = (Status.RECEIVED, Status.ASSIGNED, Status.PROCESSING, Status.REVIEW)
# The three rows of the chatbot's handoff card, in the order agents read them.
HANDOFF_KEYS = ("用户诉求", "已触发", "补充信息")


def my_tickets(user):
    """The agent's own open tickets, the most urgent deadline first."""
    return (ticket_list(user).filter(owner_id=user.pk, status__in=(*ACTIVE, Status.REVIEW))
            .order_by("status", "resolve_due", "id"))


def member_queue_ids(user) -> list[int]:
    return list(Queue.members.through.objects.filter(user_id=user.pk)
                .values_list("queue_id", flat=True))


def my_queues(user) -> list[dict]:
    """Each queue of the agent with its waiting tickets (best first) and open count."""
    queue_ids = member_queue_ids(user)
    queues = Queue.objects.filter(pk__in=queue_ids).order_by("code").annotate(
        waiting=Count("tickets", filter=Q(tickets__status=Status.RECEIVED)),
        open=Count("tickets", filter=Q(tickets__status__in=OPEN)),
        breached=Count("tickets", filter=Q(tickets__status__in=OPEN) & (
            Q(tickets__response_breached_at__isnull=False)
            | Q(tickets__resolve_breached_at__isnull=False))))
    waiting = (ticket_list(user).filter(queue_id__in=queue_ids, status=Status.RECEIVED)
               .order_by("priority", "resolve_due", "id"))
    by_queue: dict[int, list] = {}
    for ticket in waiting[:200]:
        by_queue.setdefault(ticket.queue_id, []).append(ticket)
    return [{"queue": q, "tickets": by_queue.get(q.pk, [])} for q in queues]


def review_queue(user):
    """Tickets waiting for review, oldest resolution first, each with the resolution its
    agent proposed (the note of the latest submit_review)."""
    proposed = (TicketEvent.objects.filter(ticket_id=OuterRef("pk"), kind=EventKind.TRANSITION,
                                           to_status=Status.REVIEW)
                .order_by("-created_at", "-id").values("note")[:1])
    return (ticket_list(user).filter(status=Status.REVIEW)
            .annotate(resolution=Subquery(proposed)).order_by("resolved_at", "id"))


def breached_tickets(user):
    return (ticket_list(user).filter(status__in=OPEN).filter(
        Q(response_breached_at__isnull=False) | Q(resolve_breached_at__isnull=False))
        .order_by("priority", "resolve_due", "id"))


def waiting_list(user):
    return (ticket_list(user).filter(status=Status.RECEIVED)
            .order_by("priority", "resolve_due", "id"))


def batch_incidents(user):
    return (ticket_list(user).filter(category__code="batch_incident")
            .exclude(status=Status.CLOSED)
            .annotate(n_children=Count("children", distinct=True),
                      n_open_children=Count("children", distinct=True,
                                            filter=~Q(children__status=Status.CLOSED)))
            .order_by("priority", "-created_at"))


def team():
    from routing.selectors import agent_list, queue_stats

    return {"agents": list(agent_list()), "queues": list(queue_stats(timezone.now()))}


@dataclass
class ActionForm:
    name: str
    label: str
    field: str | None  # "note" or "reason", the text the form asks for
    required: bool
    assignee: bool = False  # asks for an agent
    queue: bool = False  # may name a queue instead (transfer)


# What each transition asks for (tickets.actions: submit_review needs a note; transfer, reject
# and reopen a reason; assign an agent).
_FORMS = {
    Transition.START: ("note", False, False, False),
    Transition.SUBMIT_REVIEW: ("note", True, False, False),
    Transition.APPROVE: ("note", False, False, False),
    Transition.REJECT: ("reason", True, False, False),
    Transition.RELEASE: ("reason", False, False, False),
    Transition.TRANSFER: ("reason", True, True, True),
    Transition.ASSIGN: ("note", False, True, False),
    Transition.REOPEN: ("reason", True, False, False),
}


def available_actions(ticket, user) -> list[ActionForm]:
    """Every transition this user may take on the ticket now (state and role)."""
    out = []
    for name, (field, required, assignee, queue) in _FORMS.items():
        method = getattr(ticket, name)
        if can_proceed(method) and has_transition_perm(method, user):
            out.append(ActionForm(name=name, label=Transition(name).label, field=field,
                                  required=required, assignee=assignee, queue=queue))
    return out


def customer_card(ticket) -> dict | None:
    customer = ticket.customer
    if customer is None:
        return None
    return {"name": customer.name, "phone": mask_phone(customer.phone),
            "tags": list(customer.tags or []), "open_tickets": customer.tickets.filter(
                status__in=OPEN).exclude(pk=ticket.pk).count()}


def handoff_card(ticket) -> list[tuple[str, str]] | None:
    summary = (ticket.context or {}).get("handoff")
    if not isinstance(summary, dict):
        return None
    return [(key, summary.get(key) or "") for key in HANDOFF_KEYS]


def chat_thread(ticket) -> dict:
    """The chatbot conversation as handed over (ticket.context), then the live thread: the
    customer's messages and the agents' replies (public comments). Internal notes apart."""
    from config.masking import mask_text

    context = ticket.context or {}
    before = [{"sender": m.get("sender", ""), "text": mask_text(m.get("text", "")),
               "time": m.get("time")} for m in context.get("transcript") or []
              if isinstance(m, dict)]
    comments = list(ticket.comments.select_related("author").prefetch_related("attachments"))
    thread = [c for c in comments if c.visibility == CommentVisibility.PUBLIC]
    notes = [c for c in comments if c.visibility == CommentVisibility.INTERNAL]
    customer_user_id = ticket.customer.user_id if ticket.customer_id else None
    for c in thread:
        c.from_customer = customer_user_id is not None and c.author_id == customer_user_id
    return {"before": before, "thread": thread, "notes": notes,
            "conversation_id": context.get("conversation_id")}


def shipments(ticket) -> list[dict]:
    """Each waybill's trajectory (oldest first), stall marker and ETA, from logistics."""
    from logistics import selectors as logistics

    out = []
    now = timezone.now()
    for row in ticket.waybill_rows.all():
        shipment = logistics.shipment_get(row.number)
        if shipment is None:
            out.append({"number": row.number, "shipment": None})
            continue
        events = logistics.trajectory(shipment)
        stall_at = None
        if shipment.stalled and events:
            stall_at = events[-1].pk  # the scan after which nothing moved
        hours = None
        if shipment.stalled and shipment.stalled_since:
            hours = int((now - shipment.stalled_since).total_seconds() // 3600)
        eta = logistics.shipment_eta(shipment, now) if shipment.status != "delivered" else None
        out.append({"number": row.number, "shipment": shipment,
                    "events": list(reversed(events)), "stall_at": stall_at,
                    "stalled_hours": hours, "eta": eta})
    return out


def routing_decision(ticket) -> dict | None:
    from routing.selectors import decision_as_dict, latest_decision

    decision = decision_as_dict(latest_decision(ticket.pk))
    if decision:
        decision["candidates"] = decision["candidates"][:6]
    return decision


def audit_trail(ticket):
    return list(ticket_events(ticket))


def transfer_choices():
    from django.contrib.auth import get_user_model

    agents = (get_user_model().objects.filter(groups__name=Role.AGENT, is_active=True)
              .order_by("username"))
    return {"agents": list(agents), "queues": list(Queue.objects.order_by("code"))}
