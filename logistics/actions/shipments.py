"""Registering a shipment (staff or system): details for lookups, then a push subscription."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.effects import enqueue_on_commit
from logistics.actions.common import LogisticsError, normalize_phone
from logistics.actions.derive import estimate
from logistics.carriers import CARRIERS, candidate_carriers, detect_carrier, normalize_waybill
from logistics.choices import Goods, Subscription
from logistics.models import Shipment

_NUMBER = re.compile(r"^[A-Z0-9]{6,40}$")


def check_register_shipment(*, acting_user, tracking_number: str, carrier: str = "",
                            sender_phone: str = "", recipient_phone: str = "",
                            origin: str = "", destination: str = "",
                            goods=()) -> tuple[Shipment, bool]:
    """Creates or updates the shipment; (shipment, created). Subscribes after commit."""
    number = normalize_waybill(tracking_number)
    if not _NUMBER.match(number):
        raise LogisticsError(_("“%(number)s” is not a tracking number.") % {
            "number": tracking_number}, code="invalid_tracking_number",
            extra={"field": "tracking_number"})
    if carrier:
        if carrier not in CARRIERS:
            raise LogisticsError(_("Unknown carrier “%(code)s”.") % {"code": carrier},
                                 code="unknown_carrier", extra={"field": "carrier"})
    else:
        carrier = detect_carrier(number) or ""
    unknown = sorted(set(goods) - set(Goods.values))
    if unknown:
        raise LogisticsError(_("Unknown goods tags: %(tags)s.") % {"tags": ", ".join(unknown)},
                             code="unknown_goods", extra={"field": "goods"})
    phones = {name: normalize_phone(value, field=name) if value else ""
              for name, value in (("sender_phone", sender_phone),
                                  ("recipient_phone", recipient_phone))}
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(tracking_number=number).first()
        if shipment is None and not carrier:
            raise LogisticsError(
                _("The carrier of “%(number)s” cannot be told from the number; give it.")
                % {"number": number}, code="carrier_not_detected",
                extra={"field": "carrier", "candidates": candidate_carriers(number)})
        return do_register_shipment(
            shipment, number=number, carrier=carrier, origin=origin, destination=destination,
            goods=list(dict.fromkeys(goods)), acting_user=acting_user, **phones)


def do_register_shipment(shipment: Shipment | None, *, number: str, carrier: str,
                         sender_phone: str, recipient_phone: str, origin: str,
                         destination: str, goods: list[str], acting_user,
                         ) -> tuple[Shipment, bool]:
    """Caller holds the transaction (and the row lock when `shipment` exists)."""
    now = timezone.now()
    created = shipment is None
    if created:
        shipment = Shipment(tracking_number=number, created_at=now)
    given = {"carrier": carrier, "sender_phone": sender_phone,
             "recipient_phone": recipient_phone, "origin": origin, "destination": destination}
    for name, value in given.items():
        if value:
            setattr(shipment, name, value)
    if goods:
        shipment.goods = goods
    if shipment.registered_at is None:
        shipment.registered_at = now
    subscribe = shipment.subscription not in (Subscription.SUBSCRIBED, Subscription.PENDING)
    if subscribe:
        shipment.subscription = Subscription.PENDING
    if shipment.status:
        for name, value in estimate(carrier=shipment.carrier, origin=shipment.origin,
                                    destination=shipment.destination, status=shipment.status,
                                    last_event_at=shipment.last_event_at, now=now).items():
            setattr(shipment, name, value)
    shipment.updated_at = now
    shipment.save()
    if subscribe:
        from logistics.tasks import subscribe_shipment

        enqueue_on_commit(subscribe_shipment, shipment_id=shipment.pk)
    return shipment, created
