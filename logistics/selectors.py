"""Reads of logistics data for the API and for other apps (chatbot, analytics, stations).

Other apps read shipments only through these. Phone numbers come back as stored; every
output must mask them with config.masking.mask_phone.
"""

from django.db.models import Q, QuerySet

from logistics.actions.common import LogisticsError, normalize_phone
from logistics.carriers import normalize_waybill
from logistics.models import Shipment, TrackingEvent


def shipments_by_phone(phone: str) -> QuerySet[Shipment]:
    """Shipments sent or received by this mobile number, the most recently moved first."""
    try:
        phone = normalize_phone(phone)
    except LogisticsError:
        return Shipment.objects.none()
    return (Shipment.objects.filter(Q(recipient_phone=phone) | Q(sender_phone=phone))
            .order_by("-last_event_at", "-id"))


def shipment_get(number: str) -> Shipment | None:
    """By tracking number, normalised ('sf 1409 8217…' finds SF14098217…)."""
    number = normalize_waybill(number)
    if not number:
        return None
    return Shipment.objects.filter(tracking_number=number).first()


def shipments_by_numbers(numbers) -> QuerySet[Shipment]:
    """The shipments with these (already normalised) tracking numbers."""
    return Shipment.objects.filter(tracking_number__in=list(numbers))


def trajectory(shipment: Shipment) -> list[TrackingEvent]:
    """The shipment's events, oldest first (by time, then by arrival)."""
    return list(TrackingEvent.objects.filter(shipment=shipment).order_by("time", "id"))


def last_valid_node(shipment: Shipment) -> TrackingEvent | None:
    """The latest scan at a known place (a hub, station or city), skipping scans without one."""
    for event in reversed(trajectory(shipment)):
        if event.location:
            return event
    return None


def stalled_shipments(location: str | None = None, carrier: str | None = None,
                      ) -> QuerySet[Shipment]:
    """Shipments flagged stalled, optionally at a place (substring of the last location or
    description, e.g. '杭州转运中心') and/or of one carrier; the longest-stalled first."""
    qs = Shipment.objects.filter(stalled=True)
    if location:
        qs = qs.filter(Q(last_location__contains=location)
                       | Q(last_description__contains=location))
    if carrier:
        qs = qs.filter(carrier=carrier)
    return qs.order_by("stalled_since", "id")


def shipment_eta(shipment: Shipment, now=None) -> dict:
    """{time, confidence, explanation}, the explanation phrased against `now` ('今晚20点')."""
    from django.utils import timezone

    from logistics.actions.derive import estimate

    now = now or timezone.now()
    figures = estimate(carrier=shipment.carrier, origin=shipment.origin,
                       destination=shipment.destination, status=shipment.status,
                       last_event_at=shipment.last_event_at, now=now)
    return {"time": figures["eta"], "confidence": figures["eta_confidence"],
            "explanation": figures["eta_explanation"]}


def stalled_as_of(now) -> QuerySet[Shipment]:
    """Live shipments whose last scan, at `now`, is older than their status's stall threshold:
    the rule of actions.stalls.detect_stalls evaluated in SQL, so any instant can be asked
    (analytics' stall clusters, `detect_anomalies --at`). Scans after `now` are not seen."""
    from datetime import timedelta

    from logistics.actions.derive import stall_thresholds

    condition = Q()
    for status, hours in sorted(stall_thresholds().items()):
        condition |= Q(status=status, last_event_at__lte=now - timedelta(hours=hours))
    if not condition:
        return Shipment.objects.none()
    return Shipment.objects.filter(condition)


def reported_no_update(numbers) -> set[str]:
    """Of these tracking numbers, those whose latest scan is the carrier's own "no update for
    too long" report (kuaidi100 202 / kdniao 403 超时未更新: status exception, reason stuck)."""
    from django.db.models import OuterRef, Subquery

    latest = (TrackingEvent.objects.filter(shipment_id=OuterRef("pk"))
              .order_by("-time", "-id").values("exception_reason")[:1])
    return set(Shipment.objects.filter(tracking_number__in=list(numbers), status="exception")
               .annotate(last_reason=Subquery(latest)).filter(last_reason="stuck")
               .values_list("tracking_number", flat=True))
