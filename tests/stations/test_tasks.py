"""Station tasks: creation and station derivation, the answer flowing into the ticket."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from stations.models import StationTask
from tests.stations.conftest import client_for
from tickets.models import TicketAttachment, TicketComment

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def _create(user, ticket_id, **body):
    return client_for(user).post(f"/api/tickets/{ticket_id}/station-tasks/", body,
                                 format="json")


@pytest.mark.django_db
def test_task_goes_to_the_station_of_the_last_delivery_scan(stations, lost_ticket):
    response = _create(stations.setup.supervisor, lost_ticket.pk, kind="verify_delivery",
                       note="客户说没收到")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "kind", "station", "status", "due_at"}
    assert body["station"] == "HZ-XH-01" and body["status"] == "open"
    task = StationTask.objects.get(pk=body["id"])
    # 24h station: 2 hours of business time for verify_delivery
    assert abs((task.due_at - task.created_at) - timedelta(hours=2)) < timedelta(seconds=1)


@pytest.mark.django_db
def test_without_a_delivery_scan_the_destination_district_decides(stations, parcel):
    from tests.factories import make_ticket

    shipment = parcel("SF2000000000001", "13800138001", [
        (10, "in_transit", "广州转运中心", "运输中")])
    shipment.destination = "广东省深圳市南山区"
    shipment.save(update_fields=["destination"])
    ticket = make_ticket(stations.setup, waybills=["SF2000000000001"])
    response = _create(stations.setup.supervisor, ticket.pk, kind="urge_dispatch")
    assert response.status_code == 201
    assert response.json()["station"] == "SZ-NS-01"


@pytest.mark.django_db
def test_a_named_station_wins_and_unknown_ones_are_refused(stations, lost_ticket):
    ok = _create(stations.setup.supervisor, lost_ticket.pk, kind="pod_photo", station="SZ-NS-01")
    assert ok.status_code == 201 and ok.json()["station"] == "SZ-NS-01"
    bad = _create(stations.setup.supervisor, lost_ticket.pk, kind="pod_photo", station="nope")
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_station"
    kind = _create(stations.setup.supervisor, lost_ticket.pk, kind="teleport")
    assert kind.status_code == 400


@pytest.mark.django_db
def test_an_agent_outside_the_tickets_queues_gets_404(stations, lost_ticket):
    response = _create(stations.setup.outsider, lost_ticket.pk, kind="verify_delivery")
    assert response.status_code == 404


@pytest.mark.django_db
def test_station_staff_cannot_create_tasks(stations, lost_ticket):
    response = _create(stations.staff, lost_ticket.pk, kind="verify_delivery")
    assert response.status_code == 403


@pytest.mark.django_db
def test_task_list_open_first_then_by_deadline(stations, lost_ticket):
    from stations.actions import check_complete_station_task

    sup = stations.setup.supervisor
    ids = [_create(sup, lost_ticket.pk, kind=k).json()["id"]
           for k in ("return_to_sender", "verify_delivery", "urge_dispatch")]
    check_complete_station_task(user=stations.staff, task_id=ids[1], result="not_delivered")
    listed = client_for(stations.staff).get("/api/station/tasks/").json()
    assert [t["id"] for t in listed] == [ids[2], ids[0], ids[1]]
    assert {"id", "kind", "ticket", "station", "status", "due_at"} <= set(listed[0])
    assert listed[0]["ticket"] == lost_ticket.pk


@pytest.mark.django_db
def test_task_list_query_count_is_constant(stations, lost_ticket, django_assert_max_num_queries):
    for _ in range(5):
        _create(stations.setup.supervisor, lost_ticket.pk, kind="pod_photo")
    client = client_for(stations.staff)
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/station/tasks/").json()) == 5


@pytest.mark.django_db
def test_completion_lands_in_the_ticket(stations, lost_ticket, django_capture_on_commit_callbacks):
    from unittest import mock

    task_id = _create(stations.setup.supervisor, lost_ticket.pk,
                      kind="verify_delivery").json()["id"]
    photo = SimpleUploadedFile("pod.png", PNG, content_type="image/png")
    with mock.patch("config.effects._group_send") as sent, \
            django_capture_on_commit_callbacks(execute=True):
        response = client_for(stations.staff).post(
            f"/api/station/tasks/{task_id}/complete/",
            {"result": "delivered_to_locker", "note": "已放入丰巢柜 A12", "photo": photo},
            format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done"
    # the event with result code and note, in the ticket's events API
    events = client_for(stations.setup.supervisor).get(
        f"/api/tickets/{lost_ticket.pk}/events/").json()
    events = events.get("results", events) if isinstance(events, dict) else events
    reply = [e for e in events if e["kind"] == "station_reply"]
    assert len(reply) == 1
    assert reply[0]["data"]["result"] == "delivered_to_locker"
    assert reply[0]["note"] == "已放入丰巢柜 A12"
    # the internal note with the photo as evidence
    attachment = TicketAttachment.objects.get(ticket=lost_ticket)
    assert attachment.comment.visibility == "internal"
    assert "已放入丰巢柜 A12" in attachment.comment.body
    assert attachment.content_type == "image/png"
    # live push to the ticket's groups (owner, queue, supervisors)
    pushed = [(groups, event) for (groups, event), _ in sent.call_args_list
              if event.get("change") == "station_reply"]
    assert pushed and f"queue.{lost_ticket.queue_id}" in pushed[0][0]
    assert pushed[0][1]["station_reply"]["result"] == "delivered_to_locker"
    # customer-facing progress wording: 网点核实中 → 网点已反馈
    lost_ticket.refresh_from_db()
    assert lost_ticket.context["station_check"]["state"] == "answered"
    assert lost_ticket.context["station_check"]["label"] == "网点已反馈"
    # the customer is told in the thread (the chatbot relays public replies)
    assert TicketComment.objects.filter(ticket=lost_ticket, visibility="public",
                                        body__contains="快递柜").exists()


@pytest.mark.django_db
def test_wording_while_the_station_checks(stations, lost_ticket):
    _create(stations.setup.supervisor, lost_ticket.pk, kind="verify_delivery")
    lost_ticket.refresh_from_db()
    assert lost_ticket.context["station_check"]["label"] == "网点核实中"


@pytest.mark.django_db
def test_result_must_fit_the_kind_and_a_task_is_answered_once(stations, lost_ticket):
    task_id = _create(stations.setup.supervisor, lost_ticket.pk, kind="pod_photo").json()["id"]
    client = client_for(stations.staff)
    url = f"/api/station/tasks/{task_id}/complete/"
    wrong = client.post(url, {"result": "lost_confirmed"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_result"
    assert client.post(url, {"result": "no_photo"}, format="json").status_code == 200
    again = client.post(url, {"result": "no_photo"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "task_closed"


@pytest.mark.django_db
def test_a_non_image_photo_is_refused(stations, lost_ticket):
    task_id = _create(stations.setup.supervisor, lost_ticket.pk, kind="pod_photo").json()["id"]
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    response = client_for(stations.staff).post(
        f"/api/station/tasks/{task_id}/complete/", {"result": "photo_provided", "photo": fake},
        format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "unsupported_file_type"


@pytest.mark.django_db
def test_overdue_task_escalates_once_to_manager_and_supervisor(stations, lost_ticket):
    from stations.actions import do_escalate_overdue_tasks
    from tickets.models import Notification

    task_id = _create(stations.setup.supervisor, lost_ticket.pk,
                      kind="verify_delivery").json()["id"]
    later = timezone.now() + timedelta(hours=3)
    assert do_escalate_overdue_tasks(now=timezone.now()) == 0
    assert do_escalate_overdue_tasks(now=later) == 1
    assert do_escalate_overdue_tasks(now=later + timedelta(hours=1)) == 0
    sent = Notification.objects.filter(payload__task_id=task_id)
    assert sorted(sent.values_list("recipient", flat=True)) == ["manager01", "supervisor01"]
    assert lost_ticket.events.filter(kind="escalation",
                                     data__reason="station_task_overdue").count() == 1


@pytest.mark.django_db
def test_answered_tasks_do_not_escalate(stations, lost_ticket):
    from stations.actions import check_complete_station_task, do_escalate_overdue_tasks

    task_id = _create(stations.setup.supervisor, lost_ticket.pk,
                      kind="verify_delivery").json()["id"]
    check_complete_station_task(user=stations.staff, task_id=task_id, result="not_delivered")
    assert do_escalate_overdue_tasks(now=timezone.now() + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_stations_near_has_spare_capacity_nearest_first(stations, lost_ticket):
    from stations.selectors import stations_near

    near = stations_near(30.28, 120.13, 10)
    assert [s.code for s in near] == ["HZ-XH-01"]
    assert near[0].spare_capacity == 5 and near[0].distance_km < 1
    for _ in range(5):
        _create(stations.setup.supervisor, lost_ticket.pk, kind="pod_photo", station="HZ-XH-01")
    assert stations_near(30.28, 120.13, 10) == []
    assert [s.code for s in stations_near(30.28, 120.13, 10, include_full=True)] == ["HZ-XH-01"]
    assert stations_near(30.28, 120.13, 5000)[0].code == "SZ-NS-01"
