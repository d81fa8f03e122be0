"""Writes a customer makes through the mini-program (/api/customer/, issue #7).

Every ticket write is audited as the customer's own user (TicketEvent.actor); logs carry phone
numbers and addresses masked only.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from config.errors import DomainError, Forbidden, NotFound
from config.masking import mask_address, mask_phone
from logistics import selectors as logistics
from tickets import catalog
from tickets.actions.common import TicketError, check_transition_allowed
from tickets.actions.create import do_create_ticket, ensure_customer_user
from tickets.actions.transitions import do_reopen_ticket
from tickets.choices import Channel, Impact, Status, Transition
from tickets.models import Customer, CustomerIdentity, CustomerShipment, Ticket, TicketWaybill
from tickets.quality.fields import values_by_kind
from tickets.selectors import access_ticket

logger = logging.getLogger("parceldesk.customer")

DELIVERY_CHANGE_CATEGORY = "change_delivery"


def customer_of(user) -> Customer:
    """The customer behind a customer login (cached on the user object)."""
    customer = getattr(user, "_pd_customer", None)
    if customer is None:
        customer = Customer.objects.filter(user_id=getattr(user, "pk", None)).first()
        if customer is None:
            raise Forbidden(_("This login has no customer profile."))
        user._pd_customer = customer
    return customer


# --- sign-in ---
def do_ensure_customer_login(phone: str) -> tuple[Customer, bool]:
    """The customer with this (normalised) phone and their login user, created on first
    sign-in; (customer, created)."""
    created = not Customer.objects.filter(phone=phone, user__isnull=False).exists()
    customer = ensure_customer_user(phone)
    if not customer.user.is_active:
        raise Forbidden(_("This account is disabled."), code="account_disabled")
    if created:
        logger.info("customer %s signed in for the first time", mask_phone(phone))
    return customer, created


def do_issue_customer_token(customer: Customer) -> str:
    token, _created = Token.objects.get_or_create(user=customer.user)
    customer.user.last_login = timezone.now()
    customer.user.save(update_fields=["last_login"])
    return token.key


def do_revoke_customer_token(user) -> None:
    Token.objects.filter(user=user).delete()


def do_link_identity(customer: Customer, *, provider: str, subject: str) -> CustomerIdentity:
    try:
        with transaction.atomic():
            identity, _created = CustomerIdentity.objects.get_or_create(
                provider=provider, subject=subject, defaults={"customer": customer})
    except IntegrityError:  # linked concurrently
        identity = CustomerIdentity.objects.get(provider=provider, subject=subject)
    if identity.customer_id != customer.pk:
        raise DomainError(_("This WeChat account is linked to another phone number."),
                          code="identity_taken", status=409)
    return identity


# --- parcels ---
def _phones_of(shipment) -> list[str]:
    return [p for p in (shipment.recipient_phone, shipment.sender_phone) if p]


def shipment_role(customer: Customer, shipment, bound_numbers=()) -> str | None:
    """How the customer relates to the parcel: recipient, sender, added (bound) or None."""
    if shipment.recipient_phone == customer.phone:
        return "recipient"
    if shipment.sender_phone == customer.phone:
        return "sender"
    if shipment.tracking_number in bound_numbers:
        return "added"
    return None


def check_bind_shipment(*, user, number: str, phone_last4: str):
    """Adds a parcel by waybill + the last 4 digits of its sender's or recipient's phone.

    A missing waybill and wrong digits answer the same 404 `shipment_not_found`: nothing tells
    whether the waybill exists. Throttled per customer by the view (10,000 guesses otherwise).
    """
    customer = customer_of(user)
    shipment = logistics.shipment_get(number)
    digits = (phone_last4 or "").strip()
    matches = shipment is not None and any(
        constant_time_compare(phone[-4:], digits) for phone in _phones_of(shipment))
    if not matches:
        logger.info("customer %s: parcel binding refused", customer.pk)
        raise NotFound(_("No parcel matches this waybill number and phone digits."),
                       code="shipment_not_found")
    binding, created = CustomerShipment.objects.get_or_create(
        customer=customer, number=shipment.tracking_number)
    logger.info("customer %s added parcel %s", customer.pk, shipment.tracking_number)
    return shipment, created


# --- tickets ---
def check_customer_reopen(*, user, ticket_id, reason: str) -> Ticket:
    """二次投诉 by the customer: only within CUSTOMER_REOPEN_WINDOW_DAYS of the closing."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tell us why the problem is not solved."), code="missing_fields",
                          extra={"fields": ["reason"]})
    customer_of(user)
    with transaction.atomic():
        ticket = access_ticket(user, ticket_id, lock=True)
        check_transition_allowed(ticket, Transition.REOPEN, user)
        until = reopen_deadline(ticket)
        if until is None or timezone.now() > until:
            raise TicketError(
                _("A ticket can be reopened within %(days)d days of being resolved; please "
                  "start a new request.") % {"days": settings.CUSTOMER_REOPEN_WINDOW_DAYS},
                code="reopen_window_passed", status=409)
        return do_reopen_ticket(ticket, acting_user=user, reason=reason)


def reopen_deadline(ticket: Ticket):
    if ticket.status != Status.CLOSED or ticket.closed_at is None:
        return None
    return ticket.closed_at + timedelta(days=settings.CUSTOMER_REOPEN_WINDOW_DAYS)


DELIVERY_CHANGE_KINDS = ("address", "time", "self_pickup")


def check_request_delivery_change(*, user, waybill: str, kind: str, address: str = "",
                                  preferred_date=None, time_slot: str = "",
                                  pickup_point: str = "", note: str = "") -> Ticket:
    """A change of delivery (new address, new time, or self-pickup) becomes a ticket in
    category change_delivery, with the waybill attached, created as the customer."""
    from tickets.customer_api.selectors import access_customer_shipment

    customer = customer_of(user)
    if kind not in DELIVERY_CHANGE_KINDS:
        raise DomainError(_("Unknown kind of change."), code="invalid_kind")
    address, pickup_point, note = (address or "").strip(), (pickup_point or "").strip(), \
        (note or "").strip()
    if kind == "address" and not address:
        raise DomainError(_("Give the new delivery address."), code="missing_fields",
                          extra={"fields": ["address"]})
    if kind == "time" and not (preferred_date and time_slot):
        raise DomainError(_("Give the day and the time of day you prefer."),
                          code="missing_fields", extra={"fields": ["preferred_date", "time_slot"]})
    if preferred_date is not None and preferred_date < timezone.localdate():
        raise DomainError(_("The preferred day is in the past."), code="invalid_date")
    shipment = access_customer_shipment(customer, waybill)
    category = catalog.active_category(DELIVERY_CHANGE_CATEGORY)
    if category is None:
        raise DomainError(_("Delivery changes cannot be requested right now."),
                          code="unknown_category", status=503)
    request = {"kind": kind, "address": address,
               "preferred_date": preferred_date.isoformat() if preferred_date else "",
               "time_slot": time_slot, "pickup_point": pickup_point, "note": note}
    labels = {"address": _("new address"), "time": _("new delivery time"),
              "self_pickup": _("self-pickup")}
    lines = [_("Customer asks for: %(kind)s") % {"kind": labels[kind]}]
    if address:
        lines.append(_("New address: %(address)s") % {"address": address})
    if preferred_date:
        lines.append(_("Preferred time: %(date)s %(slot)s")
                     % {"date": request["preferred_date"], "slot": time_slot})
    if pickup_point:
        lines.append(_("Pickup point: %(point)s") % {"point": pickup_point})
    if note:
        lines.append(note)
    with transaction.atomic():
        open_same = Ticket.objects.select_for_update().filter(
            customer=customer, category=category).exclude(status=Status.CLOSED).filter(
            pk__in=TicketWaybill.objects.filter(number=shipment.tracking_number)
            .values("ticket_id")).first()
        if open_same is not None:
            raise DomainError(_("A change for this parcel is already being handled (%(number)s).")
                              % {"number": open_same.number}, code="change_already_requested",
                              status=409, extra={"ticket_id": open_same.pk})
        ticket = do_create_ticket(
            title=_("Delivery change %(waybill)s") % {"waybill": shipment.tracking_number},
            description="\n".join(lines), category=category, priority=category.default_priority,
            channel=Channel.MINI_PROGRAM, impact=Impact.SINGLE, customer=customer,
            waybills=[shipment.tracking_number], region=shipment.destination or "",
            tags=["delivery_change", kind],
            context={"delivery_change": request,
                     "shipment": {"number": shipment.tracking_number,
                                  "status": shipment.status,
                                  "last_location": shipment.last_location}},
            queue=None, parent=None, acting_user=user,
            # The category's template (issue #10), filled by meaning: address, time, text.
            form_values=values_by_kind(
                category.pk, address=address,
                time=f"{request['preferred_date']} {time_slot}".strip(),
                text=pickup_point or (str(labels["self_pickup"]) if kind == "self_pickup"
                                      else "")))
    logger.info("delivery change %s by %s for %s: %s %s", ticket.number,
                mask_phone(customer.phone), shipment.tracking_number, kind,
                mask_address(address) if address else "")
    return ticket
