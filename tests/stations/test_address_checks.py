"""Couriers' address checks answered by the recipient: confirm, correct, no answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stations.models import AddressCheck, StationTask
from tests.stations.conftest import client_for
from tickets.models import Notification


@pytest.fixture
def shipment(stations, parcel):
    return parcel("SF3000000000001", "13800138002", [
        (3, "out_for_delivery", "杭州西湖文三路网点", "派件中")])


def _ask(stations, **body):
    body = {"tracking_number": "SF3000000000001", "reason": "address_unclear",
            "note": "文三路没有 88 号", **body}
    return client_for(stations.courier).post("/api/courier/address-checks/", body, format="json")


def _answer(token, **body):
    from rest_framework.test import APIClient

    return APIClient().post("/api/courier/address-checks/answer/", {"token": token, **body},
                            format="json")


@pytest.mark.django_db
def test_courier_asks_a_ticket_and_a_message_to_the_recipient(stations, shipment, outbox):
    response = _ask(stations)
    assert response.status_code == 201, response.json()
    check = AddressCheck.objects.get(pk=response.json()["id"])
    ticket = check.task.ticket
    assert ticket.category.code == "change_delivery" and ticket.channel == "courier"
    assert ticket.queue.code == "address_checks"  # waits for the recipient, not an agent
    assert ticket.status == "received" and ticket.owner_id is None
    sms = Notification.objects.get(channel="sms", ticket=ticket)
    assert sms.recipient == "13800138002" and check.token in sms.body
    assert "无法派送" in sms.body
    # and in the customer's thread (the chatbot relays public replies into the chat)
    assert ticket.comments.filter(visibility="public", body__contains=check.token).exists()
    # the courier's own task list has it, with the recipient's number to call
    listed = client_for(stations.courier).get("/api/station/tasks/").json()
    assert listed[0]["kind"] == "address_check"
    assert listed[0]["recipient_phone"] == "13800138002"
    # and the resolution clock waits on the customer
    assert "customer" in ticket.sla_pause_reasons


@pytest.mark.django_db
def test_only_couriers_ask(stations, shipment):
    response = client_for(stations.staff).post(
        "/api/courier/address-checks/",
        {"tracking_number": "SF3000000000001", "reason": "nobody_home"}, format="json")
    assert response.status_code == 403
    assert _ask(stations, tracking_number="SF9999").status_code == 404
    assert _ask(stations, reason="aliens").status_code == 400


@pytest.mark.django_db
def test_recipient_confirms(stations, shipment):
    check = AddressCheck.objects.get(pk=_ask(stations).json()["id"])
    response = _answer(check.token, answer="confirm")
    assert response.status_code == 200 and response.json()["status"] == "answered"
    task = StationTask.objects.get(pk=check.task_id)
    assert task.status == "done" and task.result == "address_confirmed"
    ticket = task.ticket
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is None
    assert ticket.events.filter(kind="address_check", data__answer="confirm").exists()
    assert ticket.events.filter(kind="station_reply", data__result="address_confirmed").exists()
    # answered once
    assert _answer(check.token, answer="confirm").status_code == 409


@pytest.mark.django_db
def test_recipient_corrects_and_it_becomes_the_delivery_change(
        stations, shipment, django_capture_on_commit_callbacks):
    from unittest import mock

    check = AddressCheck.objects.get(pk=_ask(stations).json()["id"])
    assert _answer(check.token, answer="correct").status_code == 400  # needs the address
    with mock.patch("config.effects._group_send") as sent, \
            django_capture_on_commit_callbacks(execute=True):
        response = _answer(check.token, answer="correct", new_address="文三路 388 号 2 单元")
    assert response.status_code == 200
    ticket = StationTask.objects.get(pk=check.task_id).ticket
    ticket.refresh_from_db()
    assert ticket.context["delivery_change"] == {"kind": "address",
                                                 "address": "文三路 388 号 2 单元",
                                                 "source": "address_check"}
    # the courier's task list updates live
    groups = [g for (g, event), _ in sent.call_args_list if event.get("type") == "station_task"]
    assert any(f"user.{stations.courier.pk}" in g for g in groups)
    assert client_for(stations.courier).get(
        f"/api/station/tasks/{check.task_id}/").json()["result"] == "address_corrected"


@pytest.mark.django_db
def test_recipient_answers_on_the_page_behind_the_link(stations, shipment):
    from django.test import Client

    check = AddressCheck.objects.get(pk=_ask(stations).json()["id"])
    page = Client().get(f"/station/answer/{check.token}/")
    assert page.status_code == 200 and "快递柜/驿站" in page.content.decode()
    Client().post(f"/station/answer/{check.token}/", {"answer": "locker"})
    check.refresh_from_db()
    assert check.status == "answered" and check.answer == "locker"
    assert Client().get("/station/answer/wrong-token/").status_code == 404


@pytest.mark.django_db
def test_no_answer_hands_the_ticket_to_the_desk(stations, shipment):
    from stations.actions import do_expire_address_checks

    check = AddressCheck.objects.get(pk=_ask(stations).json()["id"])
    assert do_expire_address_checks(now=timezone.now()) == 0
    later = check.due_at + timedelta(minutes=1)
    assert do_expire_address_checks(now=later) == 1
    assert do_expire_address_checks(now=later) == 0
    check.refresh_from_db()
    assert check.status == "expired"
    task = StationTask.objects.get(pk=check.task_id)
    assert task.status == "done" and task.result == "no_answer"
    ticket = task.ticket
    ticket.refresh_from_db()
    # routed per routing: the default queue, where an agent (agent01/agent02) takes it
    assert ticket.queue.code == "general"
    assert ticket.events.filter(kind="escalation", data__reason="address_check_unanswered")
    assert _answer(check.token, answer="confirm").status_code == 409


@pytest.mark.django_db
def test_a_courier_cannot_ask_about_another_stations_parcel(stations, parcel):
    from stations.actions import do_set_membership
    from tests.factories import UserFactory

    parcel("SF3000000000002", "13800138005", [
        (3, "out_for_delivery", "深圳南山科技园网点", "派件中")])
    theirs = _ask(stations, tracking_number="SF3000000000002")
    unknown = _ask(stations, tracking_number="SF3999999999999")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    nanshan_courier = UserFactory(username="courier02")
    do_set_membership(nanshan_courier, station=stations.nanshan, role="courier")
    response = client_for(nanshan_courier).post(
        "/api/courier/address-checks/", {"tracking_number": "SF3000000000002",
                                         "reason": "refused"}, format="json")
    assert response.status_code == 201
