"""Which source serves a shipment, with which credentials (from settings, never stored)."""

from django.conf import settings

from logistics.carriers import (
    AFTERSHIP_CARRIERS,
    KDNIAO_CARRIERS,
    KUAIDI100_CARRIERS,
    TRACK17_CARRIERS,
)
from logistics.models import TrackingSource

_CODES = {"kuaidi100": KUAIDI100_CARRIERS, "kdniao": KDNIAO_CARRIERS,
          "17track": TRACK17_CARRIERS, "aftership": AFTERSHIP_CARRIERS}
# Order of preference when polling: the carrier's own platform, then aggregators.
POLL_ORDER = ("sf", "kuaidi100", "kdniao", "17track", "aftership")
PUSH_SOURCES = ("kuaidi100", "17track")  # subscriptions we know how to request


def credentials(source: str) -> dict[str, str] | None:
    """The polling credentials of `source`, or None when any is missing."""
    s = settings
    table = {
        "kuaidi100": {"customer": s.KUAIDI100_CUSTOMER, "key": s.KUAIDI100_KEY},
        "kdniao": {"ebusiness_id": s.KDNIAO_EBUSINESS_ID, "app_key": s.KDNIAO_APP_KEY},
        "17track": {"token": s.TRACK17_TOKEN},
        "aftership": {"api_key": s.AFTERSHIP_API_KEY},
        "sf": {"partner_id": s.SF_PARTNER_ID, "checkword": s.SF_CHECKWORD},
    }
    creds = table.get(source)
    if not creds or not all(creds.values()):
        return None
    return creds


def source_carrier_code(source: str, carrier: str) -> str:
    """Our carrier code in the source's own vocabulary ('sf' → 'shunfeng' at kuaidi100)."""
    for theirs, ours in _CODES.get(source, {}).items():
        if ours == carrier:
            return theirs
    return carrier


def source_rows() -> dict[str, TrackingSource]:
    return {row.code: row for row in TrackingSource.objects.all()}


def poll_source_for(shipment, rows: dict[str, TrackingSource] | None = None) -> str | None:
    rows = source_rows() if rows is None else rows
    for code in POLL_ORDER:
        if code == "sf" and shipment.carrier != "sf":
            continue
        row = rows.get(code)
        if row is not None and row.active and row.polling_enabled and credentials(code):
            return code
    return None
