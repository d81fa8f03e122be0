"""The chatbot asks for exactly the template fields a ticket still lacks, then files it."""

import pytest

from tickets.models import Ticket

STUCK = [(80, "picked_up", "上海", "【上海浦东新区公司】已揽收"),
         (72, "arrived_at_hub", "杭州转运中心", "快件已到达【杭州转运中心】")]


@pytest.fixture
def chat(nlu_model, templates, customer_chat):
    return customer_chat()


def texts(turn):
    return "\n".join(r["text"] for r in turn["replies"])


@pytest.mark.django_db
def test_complaint_asks_for_both_fields_then_only_the_one_left(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK)
    turn = chat("SF1409821733526 这个快递员态度太差了，不送货上门，我要投诉他")
    assert turn["understanding"]["intent"] == "complaint_service"
    assert turn["ticket"] is None
    asked = texts(turn)
    assert "严重程度" in asked and "您希望我们怎么处理" in asked
    turn = chat("非常严重")
    assert turn["ticket"] is None
    asked = texts(turn)
    assert "您希望我们怎么处理" in asked and "严重程度" not in asked  # exactly the missing one
    turn = chat("希望快递员给我道歉，以后送货上门")
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    assert ticket.category.code == "complaint_service"
    assert ticket.form_values == {"complaint_level": "非常严重",
                                  "expected_solution": "希望快递员给我道歉，以后送货上门"}


@pytest.mark.django_db
def test_damaged_with_the_value_given_files_at_once_and_asks_for_the_photo(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK, goods=["fresh"])
    turn = chat("SF1409821733526 大闸蟹到了全死了，包装也破了，商品价值300元")
    assert turn["ticket"] is not None, texts(turn)
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    assert ticket.category.code == "damaged_parcel"
    assert ticket.form_values == {"goods_value": 300.0}
    assert f"请在工单 {ticket.number} 中上传破损照片" in texts(turn)


@pytest.mark.django_db
def test_damaged_without_the_value_asks_for_it_and_mentions_the_photo(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK, goods=["fresh"])
    turn = chat("SF1409821733526 大闸蟹到了全死了，包装也破了")
    assert turn["ticket"] is None
    assert "商品的价值是多少元" in texts(turn) and "破损照片" in texts(turn)
    turn = chat("三百多吧，具体是 328")
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    assert ticket.form_values == {"goods_value": 328.0}


@pytest.mark.django_db
def test_a_handoff_asks_once_then_goes_to_a_person_as_a_general_ticket(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK)
    chat("SF1409821733526 快递员不送货上门，我要投诉")
    turn = chat("转人工")
    assert turn["ticket"] is not None and turn["handoff"] is True
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    assert ticket.category.code == "other"
    assert "待补充：投诉等级、期望解决方案" in ticket.context["handoff"]["补充信息"]


@pytest.mark.django_db
def test_an_angry_handoff_asks_for_the_missing_fields_first(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK)
    turn = chat("SF1409821733526 你们快递员什么态度！！！不送货上门，我要投诉到12315")
    assert turn["ticket"] is None, texts(turn)  # the handoff waits for exactly these answers
    assert "严重程度" in texts(turn) and "您希望我们怎么处理" in texts(turn)
    turn = chat("非常严重，要求快递员当面道歉")
    assert turn["handoff"] is True
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    assert ticket.category.code == "complaint_service"
    assert ticket.context["handoff_reason"] == "strong_emotion"
    assert ticket.form_values == {"complaint_level": "非常严重",
                                  "expected_solution": "要求快递员当面道歉"}
