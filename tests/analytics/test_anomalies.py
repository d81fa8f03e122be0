"""Stall clusters → batch incidents: thresholds, idempotence, growth, recovery, children."""

from datetime import timedelta

import pytest

from analytics.actions import do_detect_anomalies
from analytics.models import (
    AnomalySettings,
    BacklogSample,
    DetectionRun,
    Incident,
    IncidentShipment,
)
from analytics.selectors import find_stall_clusters, hour_bucket
from tests.analytics.conftest import HUB
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_stalled_hub_is_one_incident_and_scattered_stalls_are_none(detect, setup, stalled,
                                                                     now, outbox):
    numbers = stalled(60)
    for i, hub in enumerate(["北京顺义转运中心", "广州白云转运中心", "成都双流转运中心"] * 10):
        stalled(1, location=hub, prefix=f"SF66{i:02d}", start=i, phones=False)

    result = detect(now)

    assert len(result["incidents"]) == 1
    row = result["incidents"][0]
    assert set(row) == {"ticket_number", "kind", "location", "carrier", "district",
                        "category", "shipments", "tickets", "notified", "created"}
    assert (row["kind"], row["location"], row["carrier"], row["shipments"], row["created"]) == (
        "stall_cluster", HUB, "sf", 60, True)
    assert row["notified"] == 60
    ticket = Ticket.objects.get(number=row["ticket_number"])
    assert (ticket.category.code, ticket.impact, ticket.queue.code) == (
        "batch_incident", "many", "batch_incident")
    evidence = ticket.context["incident"]
    assert evidence["location"] == HUB and evidence["stalled_now"] == 60
    assert evidence["reason"] == "恶劣天气"
    assert len(evidence["samples"]) == 3 and evidence["samples"][0]["events"]
    assert set(IncidentShipment.objects.values_list("tracking_number", flat=True)) == set(numbers)
    (told,) = [m for m in outbox if m["payload"].get("reason") == "incident_opened"]
    assert told["recipient"] == "supervisor01" and row["ticket_number"] in told["body"]
    assert "新的批量异常事件" in told["body"]


def test_below_the_absolute_minimum_is_no_cluster(setup, stalled, now):
    stalled(49, phones=False)
    assert find_stall_clusters(now) == []
    config = AnomalySettings.current()
    config.stall_min_count = 40
    config.save()
    assert [c.count for c in find_stall_clusters(now)] == [49]


def test_a_busy_hub_at_its_usual_backlog_is_no_cluster(setup, stalled, now):
    """Usual backlog at this hour of the week: median of previous weeks' samples."""
    stalled(100, phones=False)
    bucket, how = hour_bucket(now)
    for week, count in ((1, 40), (2, 36), (3, 44)):
        past = bucket - timedelta(weeks=week)
        DetectionRun.objects.create(at=past, bucket=past, hour_of_week=how)
        BacklogSample.objects.create(location=HUB, carrier="sf", bucket=past,
                                     hour_of_week=how, count=count)
    assert find_stall_clusters(now) == []  # 100 < 3 × 40
    stalled(25, phones=False, start=100)
    (cluster,) = find_stall_clusters(now)  # 125 ≥ 3 × 40
    assert (cluster.count, cluster.baseline) == (125, 40.0)


def test_parcels_stalled_before_the_window_do_not_count(setup, stalled, now):
    stalled(60, hours=24 * 5, phones=False)
    assert find_stall_clusters(now) == []


def test_rerunning_never_opens_a_second_incident_and_the_incident_grows(detect, setup, stalled,
                                                                         now,
                                                                         outbox):
    stalled(60)
    first = detect(now)["incidents"][0]
    again = detect(now)["incidents"][0]
    assert again["ticket_number"] == first["ticket_number"] and again["created"] is False
    assert again["notified"] == 60 and Incident.objects.count() == 1
    assert len([m for m in outbox if m["payload"].get("kind") == "incident_notice"]) == 60

    stalled(240, start=60)  # more parcels stall at the same hub
    grown = detect(now)["incidents"][0]
    assert (grown["ticket_number"], grown["shipments"], grown["notified"]) == (
        first["ticket_number"], 300, 300)
    ticket = Ticket.objects.get(number=first["ticket_number"])
    assert ticket.priority == "P1"  # 300 parcels ≥ p1_size
    assert ticket.context["incident"]["stalled_now"] == 300
    assert "300" in ticket.title


def test_existing_tickets_about_affected_parcels_become_children(detect, setup, stalled, now):
    from tickets.actions import check_create_ticket

    numbers = stalled(60)
    unrelated = check_create_ticket(user=setup.supervisor, title="其他问题",
                                    category_code="other", customer_phone="13800000099")
    complaint = check_create_ticket(user=setup.supervisor, title="快件卡在杭州",
                                    category_code="urge_delivery", waybills=[numbers[3]],
                                    customer_phone="13900000003")
    row = detect(now)["incidents"][0]

    complaint.refresh_from_db()
    unrelated.refresh_from_db()
    assert complaint.parent.number == row["ticket_number"] and row["tickets"] == 1
    assert unrelated.parent is None
    told = complaint.comments.get(visibility="public").body
    assert row["ticket_number"] in told and HUB in told


def test_a_later_complaint_links_to_the_open_incident_from_any_channel(detect, setup, stalled,
                                                                       now):
    from tickets.actions import check_create_ticket

    numbers = stalled(60)
    row = detect(now)["incidents"][0]
    later = check_create_ticket(user=setup.agent, title="我的快递三天没动了",
                                category_code="urge_delivery", channel="chatbot",
                                waybills=[numbers[10].lower()], customer_phone="13900000010")
    assert later.parent.number == row["ticket_number"]
    assert "杭州转运中心" in later.comments.get(visibility="public").body
    assert Incident.objects.get().tickets_count == 1
    other = check_create_ticket(user=setup.agent, title="运费", category_code="fee_dispute",
                                waybills=["SF1234567890"], customer_phone="13900000011")
    assert other.parent is None


def test_recovery_proposes_resolution_and_closing_settles_children(detect, commit, setup,
                                                                   stalled, moved, now):
    from tickets.actions import (
        check_approve_review,
        check_assign_ticket,
        check_create_ticket,
        check_start_ticket,
        check_submit_review,
    )

    numbers = stalled(60)
    child_open = check_create_ticket(user=setup.supervisor, title="催件", waybills=[numbers[0]],
                                     category_code="urge_delivery", customer_phone="13900000000")
    child_review = check_create_ticket(user=setup.supervisor, title="催件2",
                                       waybills=[numbers[1]], category_code="urge_delivery",
                                       customer_phone="13900000001")
    detect(now)
    for step, kwargs in (("assign", {"user": setup.supervisor, "assignee_id": setup.agent.pk}),
                         ("start", {"user": setup.agent}),
                         ("submit", {"user": setup.agent, "note": "已处理"})):
        action = {"assign": check_assign_ticket, "start": check_start_ticket,
                  "submit": check_submit_review}[step]
        action(ticket_id=child_review.pk, **kwargs)

    moved(numbers[:40])  # two thirds moved: not yet
    later = now + timedelta(hours=2)
    do_detect_anomalies(later)
    incident = Incident.objects.get()
    assert incident.status == "open"

    moved(numbers[40:50])  # 50 of 60 = 83% ≥ 80%
    do_detect_anomalies(later)
    incident.refresh_from_db()
    assert incident.status == "recovering" and incident.resolution_proposed_at
    ticket = incident.ticket
    assert ticket.context["incident"]["recovery"] == {
        "moved": 50, "total": 60, "at": later.isoformat()}
    assert "50" in ticket.comments.get(visibility="internal").body

    # the incident is worked and closed like any ticket
    check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk, assignee_id=setup.agent.pk)
    check_start_ticket(user=setup.agent, ticket_id=ticket.pk)
    check_submit_review(user=setup.agent, ticket_id=ticket.pk, note="已恢复发运")
    with commit():
        check_approve_review(user=setup.reviewer, ticket_id=ticket.pk)

    incident.refresh_from_db()
    child_open.refresh_from_db()
    child_review.refresh_from_db()
    assert incident.status == "closed"
    assert child_review.status == "closed"
    assert child_open.status == "received"
    assert any("已解决" in c.body for c in child_open.comments.filter(visibility="public"))


def test_import_tracking_accepts_the_documented_line_shape(detect, setup, now, tmp_path):
    """The shape analytics' tests and bench use, through logistics' own command."""
    import json as jsonlib
    from io import StringIO

    from django.core.management import call_command

    from tests.analytics.conftest import STORM, scan_lines

    lines = []
    for i in range(55):
        last = now - timedelta(hours=30)
        lines += scan_lines(f"YT75100000{i:05d}", "yto", [
            (last - timedelta(hours=8), "in_transit", "上海转运中心", "已发出"),
            (last, "arrived_at_hub", HUB, STORM)])
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("import_tracking", str(path), "--no-progress", stdout=out)
    summary = jsonlib.loads(out.getvalue())
    assert (summary["events_new"], summary["shipments_created"], summary["rejected"]) == (
        110, 55, 0)
    (row,) = detect(now)["incidents"]
    assert (row["location"], row["carrier"], row["shipments"]) == (HUB, "yto", 55)
