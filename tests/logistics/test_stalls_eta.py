"""Stall detection against per-status thresholds, and ETAs from lane history."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from logistics.actions import do_store_update
from logistics.actions.derive import clear_caches, when_phrase
from logistics.actions.eta import refresh_lane_stats
from logistics.actions.stalls import detect_stalls
from logistics.adapters import TrackingEvent as Scan
from logistics.adapters import TrackingUpdate
from logistics.models import LaneStat, Shipment, StallThreshold
from logistics.selectors import shipment_eta, stalled_shipments
from tests.factories.logistics import local

NOW = local(2026, 11, 23, 12, 0)


def store(number, steps, *, carrier="sf", origin="", destination="", now=None):
    """steps = [(time, status, location, description)] through the real storing action."""
    Shipment.objects.get_or_create(tracking_number=number, defaults={
        "carrier": carrier, "origin": origin, "destination": destination})
    scans = [Scan(t, status, location, description) for t, status, location, description
             in steps]
    do_store_update(TrackingUpdate(number, carrier, scans), source="test", now=now or NOW)
    return Shipment.objects.get(tracking_number=number)


@pytest.mark.django_db
def test_scattered_shipments_against_thresholds():
    h = timedelta(hours=1)
    cases = {  # number: (status, hours since last scan, description, expected reason)
        "SF1000000000001": ("in_transit", 23, "快件已发出", ""),
        "SF1000000000002": ("in_transit", 25, "快件已发出", "stuck"),
        "SF1000000000003": ("arrived_at_hub", 30, "受暴雨影响，【杭州转运中心】暂停发运",
                            "weather"),
        "SF1000000000004": ("arrived_at_hub", 20, "快件已到达【杭州转运中心】", ""),
        "SF1000000000005": ("customs", 47, "海关查验中", ""),
        "SF1000000000006": ("customs", 49, "海关查验中", "customs"),
        "SF1000000000007": ("out_for_delivery", 13, "派件员正在派件", "stuck"),
        "SF1000000000008": ("out_for_delivery", 11, "派件员正在派件", ""),
        "SF1000000000009": ("delivered", 300, "已签收", ""),
        "SF1000000000010": ("exception", 25, "快件异常，收件地址不详", "exception"),
    }
    for number, (status, hours, text, _) in cases.items():
        store(number, [(NOW - hours * h, status, "杭州转运中心", text)], now=NOW - hours * h)
    assert not Shipment.objects.filter(stalled=True).exists()  # fresh when stored

    counts = detect_stalls(now=NOW)
    assert counts["marked"] == 5 and counts["stalled"] == 5
    for number, (_, hours, _, reason) in cases.items():
        shipment = Shipment.objects.get(tracking_number=number)
        assert (shipment.stalled, shipment.stall_reason) == (bool(reason), reason), number
        if reason:
            assert shipment.stalled_since == NOW - hours * h
    assert detect_stalls(now=NOW) == {"marked": 0, "cleared": 0, "stalled": 5}
    at_hub = stalled_shipments(location="杭州转运中心")
    assert at_hub.count() == 5
    assert stalled_shipments(carrier="zto").count() == 0

    # ops raise the in-transit threshold: the 25-hour parcel is no longer stalled
    StallThreshold.objects.filter(status="in_transit").update(hours=48)
    clear_caches()
    assert detect_stalls(now=NOW)["cleared"] == 1
    assert not Shipment.objects.get(tracking_number="SF1000000000002").stalled

    # a new scan clears the flag at once
    store("SF1000000000003", [(NOW - h, "in_transit", "杭州转运中心", "快件已发出")])
    assert not Shipment.objects.get(tracking_number="SF1000000000003").stalled


@pytest.mark.django_db
def test_inactive_threshold_disables_the_status():
    StallThreshold.objects.filter(status="out_for_delivery").update(active=False)
    store("SF1000000000011", [(NOW - timedelta(hours=20), "out_for_delivery", "", "派件中")])
    assert detect_stalls(now=NOW)["marked"] == 0


@pytest.mark.django_db
def test_beat_task_is_registered():
    from config.celery import app
    from logistics import tasks  # noqa: F401

    assert {"logistics.detect_stalls", "logistics.poll_due_shipments",
            "logistics.poll_shipment", "logistics.refresh_lane_stats",
            "logistics.subscribe_shipment"} <= set(app.tasks)
    assert tasks.detect_stalls.delay().get() == {"marked": 0, "cleared": 0, "stalled": 0}


def history(number, start, hub_at, out_at, delivered_at, *, origin="上海市",
            destination="杭州市", carrier="sf"):
    h = timedelta(hours=1)
    return store(number, [
        (start, "picked_up", "上海市", "【上海浦东新区公司】已揽收"),
        (start + hub_at * h, "arrived_at_hub", "杭州转运中心", "快件已到达【杭州转运中心】"),
        (start + out_at * h, "out_for_delivery", "杭州市", "派件员正在派件"),
        (start + delivered_at * h, "delivered", "杭州市", "已签收"),
    ], carrier=carrier, origin=origin, destination=destination, now=start + delivered_at * h)


@pytest.fixture
def lanes(db):
    """Hand-computed: on sf 上海→杭州 the hub scans were 32, 30 and 40 h before delivery
    (median 32) and left the hub after 10, 11 and 9 h (median 10); one sf 上海→北京 parcel
    waited 60 h, so carrier-wide the median of 30, 32, 40, 60 is 36."""
    start = local(2026, 11, 10, 8, 0)
    history("SF2000000000001", start, 10, 20, 42)
    history("SF2000000000002", start, 8, 19, 38)
    history("SF2000000000003", start, 5, 14, 45)
    history("SF2000000000004", start, 5, 20, 65, destination="北京市")
    return refresh_lane_stats(now=NOW)


@pytest.mark.django_db
def test_lane_stats_are_medians_of_the_history(lanes):
    assert lanes["delivered"] == 4
    lane = LaneStat.objects.get(carrier="sf", origin="上海市", destination="杭州市",
                                stage="arrived_at_hub")
    assert (lane.remaining_hours, lane.dwell_hours, lane.samples) == (32, 10, 3)
    carrier = LaneStat.objects.get(carrier="sf", origin="", destination="",
                                   stage="arrived_at_hub")
    assert (carrier.remaining_hours, carrier.samples) == (36, 4)
    picked = LaneStat.objects.get(carrier="sf", origin="上海市", destination="杭州市",
                                  stage="picked_up")
    assert picked.remaining_hours == 42  # 42, 38, 45


@pytest.mark.django_db
def test_eta_from_the_lane_with_a_chinese_explanation(lanes):
    now = local(2026, 11, 23, 10, 30)
    shipment = store("SF2000000000010", [
        (local(2026, 11, 23, 10, 0), "arrived_at_hub", "杭州转运中心",
         "快件已到达【杭州转运中心】")], origin="上海市", destination="杭州市", now=now)
    assert shipment.eta == local(2026, 11, 24, 18, 0)
    assert shipment.eta_confidence == "medium"
    with translation.override("zh-hans"):
        eta = shipment_eta(shipment, now=now)
    assert eta["time"] == local(2026, 11, 24, 18, 0)
    assert eta["explanation"] == "预计今晚20点前转出；预计明天(11月24日)18点前送达"


@pytest.mark.django_db
def test_eta_falls_back_to_carrier_then_global(lanes):
    now = local(2026, 11, 23, 10, 30)
    t = local(2026, 11, 23, 10, 0)
    other_lane = store("SF2000000000011", [(t, "arrived_at_hub", "广州", "到达")],
                       origin="上海市", destination="广州市", now=now)
    assert other_lane.eta == t + timedelta(hours=36) and other_lane.eta_confidence == "low"
    other_carrier = store("75300000000001", [(t, "arrived_at_hub", "广州", "到达")],
                          carrier="zto", now=now)
    assert other_carrier.eta == t + timedelta(hours=36)
    unknown_stage = store("SF2000000000012", [(t, "customs", "上海", "清关中")], now=now)
    assert unknown_stage.eta is None


@pytest.mark.django_db
def test_no_eta_when_later_than_history_or_delivered(lanes):
    late = store("SF2000000000013", [(NOW - timedelta(hours=50), "arrived_at_hub", "杭州",
                                      "到达")], origin="上海市", destination="杭州市")
    assert late.eta is None and late.eta_explanation
    assert Shipment.objects.get(tracking_number="SF2000000000001").eta is None


def test_when_phrases():
    now = local(2026, 11, 23, 9, 0)
    with translation.override("zh-hans"):
        assert when_phrase(local(2026, 11, 23, 15, 20), now) == "今天16点"
        assert when_phrase(local(2026, 11, 23, 20, 0), now) == "今晚20点"
        assert when_phrase(local(2026, 11, 25, 9, 0), now) == "后天(11月25日)9点"
        assert when_phrase(local(2026, 11, 28, 9, 0), now) == "11月28日9点"
    with translation.override("en"):
        assert when_phrase(local(2026, 11, 24, 18, 0), now) == "tomorrow (11/24) at 18:00"
    assert timezone.is_aware(now)
