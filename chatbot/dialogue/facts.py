"""What the bot knows about a parcel, from logistics' selectors only: status, last node, stall
reason, ETA with its explanation. No 「请耐心等待」 without these facts."""

from django.utils import timezone

from logistics import selectors as logistics
from logistics.carriers import CARRIERS
from logistics.choices import StallReason, TrackingStatus


def describe(shipment) -> dict:
    node = logistics.last_valid_node(shipment)
    eta = logistics.shipment_eta(shipment) if shipment.status not in (
        "delivered", "returned") else {"time": None, "explanation": ""}
    when = timezone.localtime(node.time) if node else None
    return {
        "number": shipment.tracking_number,
        "last4": shipment.tracking_number[-4:],
        "carrier": CARRIERS.get(shipment.carrier, shipment.carrier or "快递"),
        "status": shipment.status,
        "status_label": str(TrackingStatus(shipment.status).label) if shipment.status else "",
        "node_time": when.strftime("%m月%d日 %H:%M") if when else "",
        "node_place": node.location if node else "",
        "node_text": node.description if node else "",
        "stalled": shipment.stalled,
        "stall_reason": str(StallReason(shipment.stall_reason).label)
        if shipment.stall_reason else "",
        "stalled_hours": int((timezone.now() - shipment.stalled_since).total_seconds() // 3600)
        if shipment.stalled and shipment.stalled_since else 0,
        "eta": eta.get("explanation", ""),
        "goods": list(shipment.goods or []),
    }


def snapshot(shipment, described: dict | None = None) -> dict:
    """For the ticket's context: the trajectory as the customer saw it when the ticket opened.
    `described`: describe(shipment) when the caller has it already."""
    events = logistics.trajectory(shipment)
    return {**(described or describe(shipment)), "events": [
        {"time": timezone.localtime(e.time).isoformat(), "status": e.status,
         "location": e.location, "description": e.description} for e in events[-20:]]}


def candidates_for(customer) -> list:
    return list(logistics.shipments_by_phone(customer.phone)[:5])


def by_number(number: str):
    return logistics.shipment_get(number)
