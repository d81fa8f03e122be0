"""Reads scoped to one customer. Anything outside the customer's own answers 404 exactly like
a missing object (no existence leak)."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from config.errors import NotFound
from logistics import selectors as logistics
from tickets.choices import CommentVisibility
from tickets.models import Customer, CustomerShipment, Ticket, TicketAttachment, TicketWaybill


def bound_numbers(customer: Customer) -> set[str]:
    return set(CustomerShipment.objects.filter(customer=customer).values_list("number",
                                                                              flat=True))


def customer_shipments(customer: Customer) -> tuple[list, set[str]]:
    """The customer's parcels: those with their phone on them, plus the ones they added;
    the most recently moved first. Returns (shipments, the added numbers)."""
    bound = bound_numbers(customer)
    by_phone = list(logistics.shipments_by_phone(customer.phone)[:200])
    seen = {s.tracking_number for s in by_phone}
    extra = [s for s in logistics.shipments_by_numbers(bound - seen)]
    shipments = sorted([*by_phone, *extra], key=lambda s: (
        s.last_event_at is not None, s.last_event_at or s.created_at, s.pk), reverse=True)
    return shipments, bound


def access_customer_shipment(customer: Customer, number: str):
    """The parcel if the customer's phone is on it or they added it; 404 otherwise."""
    shipment = logistics.shipment_get(number or "")
    if shipment is not None and (
            customer.phone in (shipment.recipient_phone, shipment.sender_phone)
            or CustomerShipment.objects.filter(customer=customer,
                                               number=shipment.tracking_number).exists()):
        return shipment
    raise NotFound(_("Parcel not found."), code="shipment_not_found")


def customer_ticket_list(customer: Customer) -> QuerySet[Ticket]:
    return (Ticket.objects.filter(customer=customer).select_related("category")
            .prefetch_related(Prefetch("waybill_rows",
                                       queryset=TicketWaybill.objects.order_by("id")))
            .order_by("-created_at", "-id"))


def customer_comments(ticket: Ticket):
    """The thread the customer sees: public replies and their own words, never internal
    notes."""
    return ticket.comments.filter(visibility=CommentVisibility.PUBLIC).select_related("author")


def customer_attachments(ticket: Ticket, user) -> QuerySet[TicketAttachment]:
    """What the customer uploaded, and files staff attached to a public reply."""
    return ticket.attachments.filter(
        Q(uploaded_by_id=user.pk) | Q(comment__visibility=CommentVisibility.PUBLIC))
