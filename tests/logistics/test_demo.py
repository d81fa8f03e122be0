"""seed_logistics: idempotent demo shipments with a storm-stalled hub."""

import pytest
from django.utils import timezone, translation

from logistics.demo import PHONES, STORM_HUB, seed_logistics
from logistics.models import LaneStat, Shipment, TrackingEvent
from logistics.selectors import (
    last_valid_node,
    shipment_eta,
    shipments_by_phone,
    stalled_shipments,
    trajectory,
)


@pytest.mark.django_db
def test_seed_is_idempotent_and_tells_a_story():
    now = timezone.now()
    assert seed_logistics(now=now) == 60
    shipments, events = Shipment.objects.count(), TrackingEvent.objects.count()
    assert shipments == 60
    assert seed_logistics() == 0
    assert (Shipment.objects.count(), TrackingEvent.objects.count()) == (shipments, events)

    storm = stalled_shipments(location=STORM_HUB)
    assert storm.count() >= 10
    assert all(s.stall_reason == "weather" and "暴雨" in s.last_description for s in storm)
    for shipment in storm:
        hours = (now - shipment.last_event_at).total_seconds() / 3600
        assert 27 <= hours <= 33
    for phone in PHONES:
        assert shipments_by_phone(phone).exists()
    assert shipments_by_phone("+86 138-0000-0001").first().recipient_phone == "13800000001"
    sf = Shipment.objects.get(tracking_number="SF1409821733526")
    assert sf.stalled and sf.recipient_phone == "13800000001"
    assert last_valid_node(sf).location == STORM_HUB
    assert [e.status for e in trajectory(sf)][0] == "picked_up"
    assert LaneStat.objects.exists()
    assert set(Shipment.objects.values_list("status", flat=True)) >= {
        "delivered", "in_transit", "arrived_at_hub", "out_for_delivery", "customs",
        "available_for_pickup", "returned"}
    live = Shipment.objects.filter(status="out_for_delivery", stalled=False).first()
    with translation.override("zh-hans"):
        assert live is None or shipment_eta(live)["explanation"].startswith("预计")


@pytest.mark.django_db
def test_seed_demo_command_includes_logistics(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    from analytics.demo import PREFIX  # analytics' demo adds its own storm parcels

    assert Shipment.objects.exclude(tracking_number__startswith=PREFIX).count() == 60
    assert Shipment.objects.get(tracking_number="EA123456785CN").status == "customs"
