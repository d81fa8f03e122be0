"""My tickets: progress in customer words, adding information and evidence, reopen window,
CSAT, the delivery-change request; every action in the audit trail."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.customer.conftest import PNG
from tickets import actions
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _detail(w, ticket):
    response = w.api_a.get(f"/api/customer/tickets/{ticket.pk}/")
    assert response.status_code == 200
    return response.json()


def test_list_shows_customer_wording_by_stage(world):
    from tests.factories import ticket_in

    review = ticket_in(world.setup, "review", customer_phone=world.a.phone)
    processing = ticket_in(world.setup, "processing", customer_phone=world.a.phone)
    rows = {t["number"]: t for t in world.api_a.get("/api/customer/tickets/").json()["results"]}
    assert rows[world.open_a.number]["stage_label"] == "已受理"
    assert rows[processing.number]["stage_label"] == "正在核实"
    assert rows[review.number]["stage_label"] == "处理结果确认中"
    assert rows[world.closed_a.number]["stage"] == "resolved"
    assert rows[world.closed_a.number]["stage_label"] == "已解决"
    assert "status" not in rows[world.open_a.number]  # internal states are not shown


def test_list_query_count_is_constant(world, django_assert_max_num_queries):
    from tests.factories import make_ticket

    for _ in range(5):
        make_ticket(world.setup, customer_phone=world.a.phone)
    with django_assert_max_num_queries(8):
        assert len(world.api_a.get("/api/customer/tickets/").json()["results"]) == 7


def test_timeline_hides_internal_steps(world):
    actions.check_add_comment(user=world.setup.supervisor, ticket_id=world.closed_a.pk,
                              body="内部备注：网点已核实", visibility="internal")
    actions.check_add_comment(user=world.setup.supervisor, ticket_id=world.closed_a.pk,
                              body="已为您补发", visibility="public")
    body = _detail(world, world.closed_a)
    steps = [s["step"] for s in body["timeline"]]
    assert steps == ["accepted", "verifying", "confirming", "resolved", "reply"]
    assert [s["label"] for s in body["timeline"][:4]] == ["已受理", "正在核实", "处理结果确认中",
                                                          "已解决"]
    comments = world.api_a.get(f"/api/customer/tickets/{world.closed_a.pk}/comments/").json()
    assert [c["body"] for c in comments] == ["已为您补发"]
    assert comments[0]["author"] == "客服" and comments[0]["from_me"] is False
    assert "supervisor01" not in str(body) + str(comments)


def test_add_information_and_evidence_is_audited(world):
    url = f"/api/customer/tickets/{world.open_a.pk}/"
    response = world.api_a.post(url + "comments/", {"body": "快递员说放在门卫"}, format="json")
    assert response.status_code == 201
    assert response.json()["from_me"] is True and response.json()["author"] == "您"
    upload = SimpleUploadedFile("photo.png", PNG, "image/png")
    response = world.api_a.post(url + "attachments/", {"file": upload}, format="multipart")
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"
    events = TicketEvent.objects.filter(ticket=world.open_a, actor=world.a.user)
    assert list(events.values_list("kind", flat=True)) == [
        "comment", "attachment", "comment", "attachment"]
    assert events.filter(kind="comment").last().data["visibility"] == "public"
    steps = [s["step"] for s in _detail(world, world.open_a)["timeline"]]
    assert steps == ["accepted", "info_added", "evidence_added", "info_added", "evidence_added"]
    files = world.api_a.get(url + "attachments/").json()
    assert [f["name"] for f in files] == ["box.png", "photo.png"]
    assert "url" not in files[0]


def test_uploads_are_checked_by_content_and_size(world, settings):
    url = f"/api/customer/tickets/{world.open_a.pk}/attachments/"
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", "image/png")
    response = world.api_a.post(url, {"file": fake}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "unsupported_file_type"
    settings.ATTACHMENT_MAX_BYTES = 50
    big = SimpleUploadedFile("big.png", PNG + b"\0" * 100, "image/png")
    response = world.api_a.post(url, {"file": big}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "file_too_large"
    empty = world.api_a.post(f"/api/customer/tickets/{world.open_a.pk}/comments/",
                             {"body": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "invalid"


def test_reopen_within_the_window(world, settings):
    settings.CUSTOMER_REOPEN_WINDOW_DAYS = 7
    body = _detail(world, world.closed_a)
    assert body["can_reopen"] is True and body["reopen_until"]
    response = world.api_a.post(f"/api/customer/tickets/{world.closed_a.pk}/reopen/",
                                {"reason": "补发的也没收到"}, format="json")
    assert response.status_code == 200
    assert response.json()["stage"] == "reopened"
    assert response.json()["stage_label"] == "二次投诉处理中"
    ticket = Ticket.objects.get(pk=world.closed_a.pk)
    assert ticket.status == "processing" and ticket.reopen_count == 1 and ticket.escalated
    event = ticket.events.filter(kind="transition").last()
    assert event.actor == world.a.user and event.note == "补发的也没收到"
    assert event.data["transition"] == "reopen"


def test_reopen_after_the_window_is_refused(world, settings):
    settings.CUSTOMER_REOPEN_WINDOW_DAYS = 3
    Ticket.objects.filter(pk=world.closed_a.pk).update(
        closed_at=timezone.now() - timedelta(days=3, minutes=1))
    assert _detail(world, world.closed_a)["can_reopen"] is False
    response = world.api_a.post(f"/api/customer/tickets/{world.closed_a.pk}/reopen/",
                                {"reason": "还是不行"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "reopen_window_passed"
    assert "3 天内" in response.json()["detail"]
    assert Ticket.objects.get(pk=world.closed_a.pk).status == "closed"


def test_reopen_needs_a_reason_and_a_closed_ticket(world):
    response = world.api_a.post(f"/api/customer/tickets/{world.closed_a.pk}/reopen/",
                                {"reason": "  "}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "reason" in response.json()["errors"]
    response = world.api_a.post(f"/api/customer/tickets/{world.open_a.pk}/reopen/",
                                {"reason": "为什么"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"


def test_csat_answer(world):
    body = _detail(world, world.closed_a)
    assert body["csat"] == {"pending": True, "score": None, "comment": "",
                            "answered_at": None}
    url = f"/api/customer/tickets/{world.closed_a.pk}/csat/"
    bad = world.api_a.post(url, {"score": 6}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    response = world.api_a.post(url, {"score": 4, "comment": "还行"}, format="json")
    assert response.status_code == 200
    assert response.json()["score"] == 4 and response.json()["pending"] is False
    again = world.api_a.post(url, {"score": 5}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    event = TicketEvent.objects.get(ticket=world.closed_a, kind="csat")
    assert event.actor == world.a.user and event.data["score"] == 4
    assert _detail(world, world.closed_a)["timeline"][-1]["step"] == "rated"
    no_survey = world.api_a.post(f"/api/customer/tickets/{world.open_a.pk}/csat/",
                                 {"score": 5}, format="json")
    assert no_survey.status_code == 404


def test_delivery_change_becomes_a_ticket(world):
    response = world.api_a.post("/api/customer/delivery-changes/", {
        "waybill": "sf 1409 8217 33526", "kind": "address",
        "address": "浙江省杭州市西湖区文三路 100 号 5 幢 301", "note": "白天不在家"},
        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.category.code == "change_delivery"
    assert ticket.channel == "mini_program" and ticket.customer == world.a
    assert list(ticket.waybill_rows.values_list("number", flat=True)) == ["SF1409821733526"]
    address = ticket.context["delivery_change"]["address"]
    assert address == "浙江省杭州市西湖区文三路 100 号 5 幢 301"
    assert "文三路 100 号" in ticket.description  # staff need the full address to act
    assert ticket.events.get(kind="created").actor == world.a.user
    assert body["stage_label"] == "已受理" and body["waybills"] == ["SF1409821733526"]
    assert body["delivery_change"]["address"] == "浙江省杭州市西湖区****"
    assert "文三路" not in response.content.decode()
    assert response["Location"] == f"/api/customer/tickets/{ticket.pk}/"
    again = world.api_a.post("/api/customer/delivery-changes/", {
        "waybill": "SF1409821733526", "kind": "self_pickup"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "change_already_requested"


def test_delivery_change_validation(world):
    url = "/api/customer/delivery-changes/"
    cases = [({"waybill": "SF1409821733526", "kind": "address"}, "missing_fields"),
             ({"waybill": "SF1409821733526", "kind": "time"}, "missing_fields"),
             ({"waybill": "SF1409821733526", "kind": "teleport"}, "invalid"),
             ({"waybill": "SF1409821733526", "kind": "time", "time_slot": "morning",
               "preferred_date": "2020-01-01"}, "invalid_date")]
    for data, code in cases:
        response = world.api_a.post(url, data, format="json")
        assert response.status_code == 400 and response.json()["code"] == code, data
    ok = world.api_a.post(url, {"waybill": world.parcel_bound.tracking_number, "kind": "time",
                                "time_slot": "evening",
                                "preferred_date": str(timezone.localdate())}, format="json")
    assert ok.status_code == 201
    assert ok.json()["delivery_change"]["time_slot"] == "evening"


def test_delivery_change_fills_the_categorys_template(world):
    from tickets.quality.demo import seed_templates

    seed_templates()  # change_delivery asks for one of: new address, new time, pickup point
    response = world.api_a.post("/api/customer/delivery-changes/", {
        "waybill": "SF1409821733526", "kind": "self_pickup"}, format="json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.form_values == {"pickup_point": "改为自提"}
    response = world.api_a.post("/api/customer/delivery-changes/", {
        "waybill": world.parcel_bound.tracking_number, "kind": "address",
        "address": "浙江省杭州市西湖区文三路 100 号"}, format="json")
    assert response.status_code == 201
    assert Ticket.objects.get(pk=response.json()["id"]).form_values == {
        "new_address": "浙江省杭州市西湖区文三路 100 号"}


def test_station_check_shows_in_customer_words(world):
    from tickets.actions.common import record_event
    from tickets.actions.context import do_set_context

    record_event(world.open_a, "station_task", actor=world.setup.supervisor,
                 data={"task_id": 1, "station": "xihu"})
    do_set_context(world.open_a, "station_check", {"state": "checking", "label": "网点核实中",
                                                   "station": "西湖网点", "task_id": 1})
    body = _detail(world, world.open_a)
    assert body["station_check"] == {"state": "checking", "label": "网点核实中"}
    assert body["timeline"][-1]["step"] == "station_checking"
    assert body["timeline"][-1]["text"] == "派送网点正在核实您的包裹。"
    assert _detail(world, world.closed_a)["station_check"] is None
