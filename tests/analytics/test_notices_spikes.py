"""Proactive notices (once per customer, quiet hours, compensation, audit) and complaint
spikes against a seasonal baseline."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from analytics.models import Incident
from analytics.selectors import find_complaint_spikes, robust_z
from tickets.models import Notification, TicketEvent

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_one_notice_per_customer_with_compensation_and_an_audit_row(detect, setup, stalled,
                                                                    now, outbox, commit):
    stalled(60, fresh=2)
    row = detect(now)["incidents"][0]
    notices = [m for m in outbox if m["payload"].get("kind") == "incident_notice"]
    assert len(notices) == 60 and len({m["recipient"] for m in notices}) == 60
    fresh = [m for m in notices if m["payload"]["compensation"] == "priority_claim"]
    assert len(fresh) == 2 and "优先理赔" in fresh[0]["body"]
    coupon = next(m for m in notices if m["payload"]["compensation"] == "coupon")
    assert "杭州转运中心" in coupon["body"] and row["ticket_number"] in coupon["body"]
    assert "恶劣天气" in coupon["body"] and "运费券" in coupon["body"]
    events = TicketEvent.objects.filter(ticket__number=row["ticket_number"], kind="notification")
    assert events.filter(data__kind="incident_notice").count() == 60  # each sent notice
    assert events.get(data__kind="incident_notices").data["queued"] == 60

    detect(now + timedelta(minutes=10))
    assert len([m for m in outbox if m["payload"].get("kind") == "incident_notice"]) == 60


def test_quiet_hours_defer_notices_to_eight_and_send_them_then(detect, setup, stalled, outbox):
    from tickets.tasks import retry_notifications

    night = datetime(2026, 11, 23, 23, 30, tzinfo=SH)
    with time_machine.travel(night, tick=False):
        stalled(55)
        detect(night)
    assert not [m for m in outbox if m["payload"].get("kind") == "incident_notice"]
    pending = Notification.objects.filter(payload__kind="incident_notice")
    assert pending.count() == 55 and {n.status for n in pending} == {"pending"}
    eight = datetime(2026, 11, 24, 8, 0, tzinfo=SH)
    assert {n.next_attempt_at for n in pending} == {eight}
    trail = TicketEvent.objects.get(data__kind="incident_notices")
    assert trail.data["deferred_until"] == eight.isoformat()
    with time_machine.travel(eight + timedelta(minutes=1), tick=False):
        retry_notifications()
    assert len([m for m in outbox if m["payload"].get("kind") == "incident_notice"]) == 55


def test_quiet_hours_window_edges():
    from analytics.actions import quiet_until
    from analytics.models import AnomalySettings

    config = AnomalySettings(quiet_start=datetime(2000, 1, 1, 22).time(),
                             quiet_end=datetime(2000, 1, 1, 8).time())
    assert quiet_until(datetime(2026, 11, 23, 21, 59, tzinfo=SH), config) is None
    assert quiet_until(datetime(2026, 11, 23, 22, 0, tzinfo=SH), config) == datetime(
        2026, 11, 24, 8, 0, tzinfo=SH)
    assert quiet_until(datetime(2026, 11, 24, 7, 59, tzinfo=SH), config) == datetime(
        2026, 11, 24, 8, 0, tzinfo=SH)
    assert quiet_until(datetime(2026, 11, 24, 8, 0, tzinfo=SH), config) is None


# --------------------------------------------------------------------- complaint spikes

def complaints(setup, when, n, *, region="浙江省杭州市西湖区", code="urge_delivery"):
    from tickets.actions import check_create_ticket

    for i in range(n):
        with time_machine.travel(when - timedelta(minutes=5 + i), tick=False):
            check_create_ticket(user=setup.supervisor, title="催件", category_code=code,
                                region=region)


MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def test_a_spike_against_a_quiet_baseline_opens_one_incident(detect, setup):
    for week in range(1, 9):
        complaints(setup, MONDAY - timedelta(weeks=week), 2)
    complaints(setup, MONDAY, 14)
    with time_machine.travel(MONDAY, tick=False):
        result = detect(MONDAY)
    (row,) = result["incidents"]
    assert (row["kind"], row["district"], row["category"], row["tickets"]) == (
        "complaint_spike", "浙江省杭州市西湖区", "urge_delivery", 14)
    incident = Incident.objects.get()
    evidence = incident.ticket.context["incident"]
    assert evidence["baseline"]["median"] == 2.0 and evidence["complaints"] == 14
    with time_machine.travel(MONDAY + timedelta(minutes=5), tick=False):
        from tickets.actions import check_create_ticket

        later = check_create_ticket(user=setup.agent, title="又一个", region="浙江省杭州市西湖区",
                                    category_code="urge_delivery")
    assert later.parent_id == incident.ticket_id


def test_a_busy_districts_normal_monday_is_no_spike(setup):
    for week in range(1, 9):
        complaints(setup, MONDAY - timedelta(weeks=week), 20 + week % 3)
    complaints(setup, MONDAY, 22)
    assert find_complaint_spikes(MONDAY) == []


def test_small_counts_are_never_a_spike(setup):
    complaints(setup, MONDAY, 3)  # a quiet district going from 0 to 3
    assert find_complaint_spikes(MONDAY) == []


def test_robust_z_has_a_floor_for_identical_weeks():
    z, median, mad = robust_z(26, [20] * 8)
    assert (median, mad) == (20.0, 0.0) and z == pytest.approx(6 / 20 ** 0.5)
    assert robust_z(14, [2, 2, 3, 1, 2, 2, 2, 3])[0] > 3.5
