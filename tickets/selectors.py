"""Reads of tickets that other apps and the API use. `access_*` fetch with a permission check."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from config.errors import NotFound
from routing.models import Queue
from tickets.models import Category, Customer, Ticket, TicketEvent, TicketWaybill
from tickets.roles import Role, has_role, sees_all_tickets


def visible_tickets(user) -> QuerySet[Ticket]:
    """Tickets `user` may see: all for supervisors/reviewers/ops, own and own queues' for
    agents, own for customers, none otherwise."""
    qs = Ticket.objects.all()
    if sees_all_tickets(user):
        return qs
    if has_role(user, Role.AGENT):
        member_queues = Queue.members.through.objects.filter(user_id=user.pk).values("queue_id")
        return qs.filter(Q(owner_id=user.pk) | Q(queue_id__in=member_queues))
    if has_role(user, Role.CUSTOMER):
        return qs.filter(customer_id__in=Customer.objects.filter(user_id=user.pk).values("id"))
    return qs.none()


def access_ticket(user, ticket_id, *, lock: bool = False) -> Ticket:
    """The ticket if `user` may see it; 404 otherwise, exactly like a missing one.

    With `lock`, the caller must be inside `transaction.atomic()`: the row stays locked
    (SELECT … FOR UPDATE on PostgreSQL) until it commits.
    """
    qs = visible_tickets(user)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=ticket_id)
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Ticket not found.")) from None


def ticket_list(user) -> QuerySet[Ticket]:
    """The list query with everything a list row shows, in a constant number of queries."""
    from django.db.models import Prefetch

    return visible_tickets(user).select_related(
        "category", "owner", "queue", "customer"
    ).prefetch_related(Prefetch("waybill_rows", queryset=TicketWaybill.objects.order_by("id")))


def ticket_with_waybill(number: str) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        Exists(TicketWaybill.objects.filter(ticket=OuterRef("pk"), number=number))
    )


def ticket_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("created_at", "id")


def category_get(code: str) -> Category | None:
    return Category.objects.filter(code=code, active=True).first()


def customer_by_phone(phone: str) -> Customer | None:
    return Customer.objects.filter(phone=phone).first()


def customer_tickets(customer, *, number: str | None = None, categories=None) -> list[Ticket]:
    """A customer's tickets, open ones first, newest first (the chatbot's progress answers)."""
    qs = Ticket.objects.filter(customer=customer).select_related("category")
    if number:
        qs = qs.filter(number=number)
    if categories:
        qs = qs.filter(category__code__in=categories)
    return sorted(qs.order_by("-created_at")[:10], key=lambda t: t.status == "closed")
