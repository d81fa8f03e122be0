"""Demo analytics for `seed_demo`: the storm at 杭州转运中心 grows to a batch incident.

logistics/demo.py already stalls a dozen parcels there; this adds 100 more SF parcels (loaded
through logistics' bulk import, recipients registered through its actions), runs detection
once — one incident, the demo tickets about those parcels become its children, the customers
are warned — and builds today's daily report. Idempotent: a second run finds the incident.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from analytics.models import HubLocation, Incident, Report

HUB = "杭州转运中心"
PREFIX = "SF1409830"  # the storm parcels this demo adds (tests tell them apart)
TEXT = f"受暴雨天气影响，【{HUB}】暂停发运，快件滞留，天气好转后将尽快发出"
HUBS = {  # name in tracking data: (latitude, longitude)
    HUB: (30.2741, 120.2198), "上海转运中心": (31.2304, 121.4737),
    "南京转运中心": (32.0603, 118.7969), "广州白云转运中心": (23.3939, 113.2988),
}


def seed_analytics(now=None) -> bool:
    """True when the incident was created this run."""
    from analytics.actions import do_detect_anomalies
    from analytics.reports import build_report
    from logistics.actions.bulk import do_import_events

    for name, (lat, lon) in HUBS.items():
        HubLocation.objects.get_or_create(name=name, defaults={"latitude": lat, "longitude": lon})
    if Incident.objects.filter(key=f"{HUB}|sf").exists():
        return False
    now = now or timezone.now()
    lines = []
    with transaction.atomic():  # one commit for the hundred registrations (SQLite: one fsync)
        _register_and_scan(now, lines)
    do_import_events(lines)
    outcomes = do_detect_anomalies(now)
    day = timezone.localdate(now)
    if not Report.objects.exists():
        build_report("daily", day, settings.MEDIA_ROOT / "reports" / "daily" / f"{day:%Y-%m-%d}")
    return any(o.created for o in outcomes)


def _register_and_scan(now, lines) -> None:
    from logistics.actions import check_register_shipment

    for i in range(100):
        number = f"{PREFIX}{i:06d}"
        check_register_shipment(acting_user=None, tracking_number=number, carrier="sf",
                                recipient_phone=f"1390571{i:04d}", origin="上海市",
                                destination="杭州市", goods=["fresh"] if i % 12 == 0 else [])
        last = now - timedelta(hours=27, minutes=7 * i)
        for t, status, place, text in (
                (last - timedelta(hours=16), "picked_up", "上海市",
                 "【上海市营业部】顺丰速运已揽收"),
                (last - timedelta(hours=11), "in_transit", "上海转运中心",
                 f"快件已从【上海转运中心】发出，下一站【{HUB}】"),
                (last, "arrived_at_hub", HUB, TEXT)):
            lines.append(json.dumps({"tracking_number": number, "carrier": "sf",
                                     "time": t.isoformat(), "status": status, "location": place,
                                     "description": text, "source": "demo"},
                                    ensure_ascii=False))
