"""The chatbot's 丢件 flow triggers 网点核实; the bot tells the customer the station's answer."""

import pytest

from stations.models import StationTask
from tests.stations.conftest import client_for
from tickets.actions import ensure_customer_user
from tickets.models import Ticket

AT_STATION = [(30, "picked_up", "上海", "【上海浦东新区公司】已揽收"),
              (20, "arrived_at_hub", "杭州转运中心", "快件已到达【杭州转运中心】"),
              (6, "out_for_delivery", "杭州西湖文三路网点", "【杭州西湖文三路网点】派件中")]


@pytest.fixture
def chat(nlu_model, stations, customer_chat):
    return customer_chat()


@pytest.mark.django_db
def test_lost_parcel_triggers_station_verification(chat, parcel, stations):
    from stations.actions import check_complete_station_task

    parcel("SF1409821733526", "13900001111", AT_STATION)
    turn = chat("快递SF1409821733526丢了，一直没收到")
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    task = StationTask.objects.get(ticket=ticket)
    assert task.kind == "verify_delivery" and task.station == stations.xihu
    assert ticket.events.filter(kind="station_task").exists()
    text = turn["replies"][0]["text"]
    assert "网点核实" in text and "杭州西湖文三路网点" in text and "前给您反馈" in text
    progress = chat(f"我的工单{ticket.number}处理到哪了")["replies"][0]["text"]
    assert "网点核实中" in progress
    check_complete_station_task(user=stations.staff, task_id=task.pk,
                                result="delivered_to_locker", note="丰巢柜 A12")
    from chatbot.models import Message

    told = Message.objects.filter(conversation_id=ticket.context["conversation_id"],
                                  sender="bot", text__contains="快递柜/驿站，请留意取件码")
    assert told.exists()  # told in the chat without asking
    progress = chat(f"我的工单{ticket.number}处理到哪了")["replies"][0]["text"]
    assert "网点已反馈：已放入快递柜/驿站" in progress


@pytest.mark.django_db
def test_without_a_known_station_the_ticket_still_opens(chat, parcel):
    parcel("SF1409821733526", "13900001111", [(30, "picked_up", "上海", "已揽收")])
    turn = chat("快递SF1409821733526丢了，一直没收到")
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    assert not StationTask.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_recipient_answers_an_address_check_in_the_chat(chat, parcel, stations):
    from stations.models import AddressCheck

    parcel("SF3000000000009", "13900001111", AT_STATION)
    response = client_for(stations.courier).post(
        "/api/courier/address-checks/", {"tracking_number": "SF3000000000009",
                                         "reason": "nobody_home"}, format="json")
    assert response.status_code == 201
    from chatbot.models import Message

    asked = Message.objects.filter(sender="bot", text__contains="SF3000000000009").get()
    assert "暂时无法派送（无人在家）" in asked.text
    assert asked.data["buttons"] == ["地址没问题", "快递柜/驿站"]
    turn = chat("放驿站吧，我下班去取")
    assert "快递柜/驿站" in turn["replies"][0]["text"]
    check = AddressCheck.objects.get(pk=response.json()["id"])
    assert check.status == "answered" and check.answer == "locker"
    # with nothing waiting, the same words are the dialogue's again
    turn = chat("放驿站吧")
    assert "谢谢" not in turn["replies"][0]["text"]


@pytest.mark.django_db
def test_customer_api_action_answers_only_own_checks(stations, parcel):
    from config.errors import NotFound
    from stations.actions import (
        check_answer_address_check_as_customer,
        check_create_address_check,
    )

    parcel("SF3000000000010", "13900002222", AT_STATION)
    check = check_create_address_check(user=stations.courier, tracking_number="SF3000000000010",
                                       reason="address_unclear")
    stranger = ensure_customer_user("13900003333").user
    with pytest.raises(NotFound):
        check_answer_address_check_as_customer(user=stranger, check_id=check.pk,
                                               answer="confirm")
    owner = ensure_customer_user("13900002222").user
    done = check_answer_address_check_as_customer(user=owner, check_id=check.pk,
                                                  answer="reschedule", new_time="明天18点后")
    assert done.status == "answered" and done.new_time == "明天18点后"
