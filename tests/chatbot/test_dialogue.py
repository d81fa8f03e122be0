"""Multi-turn scenarios through the chat API, with real shipments and real tickets."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tickets.actions import ensure_customer_user
from tickets.models import Ticket

STUCK = [(80, "picked_up", "上海", "【上海浦东新区公司】已揽收"),
         (72, "arrived_at_hub", "杭州转运中心", "快件已到达【杭州转运中心】，因暴雨暂停中转")]
MOVING = [(10, "picked_up", "上海", "【上海浦东新区公司】已揽收"),
          (2, "in_transit", "上海转运中心", "快件已从【上海转运中心】发出")]


@pytest.fixture
def chat(nlu_model, setup, customer_chat):
    """A customer's API client and a helper that sends one message and returns the turn."""
    return customer_chat()


@pytest.fixture
def categories(setup):
    from tests.factories import CategoryFactory

    for code, priority in (("damaged_parcel", "P1"), ("signed_not_received", "P1"),
                           ("change_delivery", "P2"), ("wrong_item", "P2"),
                           ("complaint_service", "P2"), ("pickup", "P3"), ("claim", "P2")):
        CategoryFactory(code=code, default_priority=priority)


@pytest.mark.django_db
def test_where_is_my_parcel_without_a_waybill(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK)
    turn = chat("我的快递到哪了")
    assert turn["understanding"]["intent"] == "track_query"
    text = turn["replies"][0]["text"]
    assert "尾号3526" in text and "杭州转运中心" in text
    assert "没有新的物流更新" in text  # the stall, with its reason
    assert turn["ticket"] is None and turn["handoff"] is False


@pytest.mark.django_db
def test_two_parcels_the_bot_asks_which_then_answers(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK)
    parcel("YT7512345678901", "13900001111", MOVING, carrier="yto")
    turn = chat("帮我查下快递")
    assert "哪一个" in turn["replies"][0]["text"]
    assert len(turn["replies"][0]["buttons"]) == 2
    assert any("尾号8901" in b for b in turn["replies"][0]["buttons"])
    turn = chat("尾号8901那个")
    assert "尾号8901" in turn["replies"][0]["text"]
    assert "上海转运中心" in turn["replies"][0]["text"]


@pytest.mark.django_db
def test_lost_parcel_opens_a_ticket_with_the_full_context(chat, parcel, setup):
    parcel("SF1409821733526", "13900001111", STUCK)
    turn = chat("快递SF1409821733526丢了，一直没收到")
    assert turn["ticket"] is not None
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    assert ticket.category.code == "lost_parcel" and ticket.channel == "chatbot"
    assert [w.number for w in ticket.waybill_rows.all()] == ["SF1409821733526"]
    assert ticket.customer.phone == "13900001111"
    context = ticket.context
    assert context["shipment"]["events"][-1]["location"] == "杭州转运中心"
    assert context["transcript"][0]["text"] == "快递SF1409821733526丢了，一直没收到"
    assert set(context["handoff"]) == {"用户诉求", "已触发", "补充信息"}
    assert ticket.number in turn["replies"][0]["text"]


@pytest.mark.django_db
def test_damaged_parcel_asks_for_evidence_then_files_it(chat, parcel, categories):
    parcel("SF1409821733526", "13900001111", STUCK, goods=["fresh"])
    turn = chat("大闸蟹到了全死了，包装也破了 SF1409821733526")
    assert turn["ticket"] is None and "照片" in turn["replies"][0]["text"]
    turn = chat("照片已经上传了，商品价值300元")
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    assert ticket.category.code == "damaged_parcel"
    assert ticket.priority == "P1"  # P1 by default; fresh goods raise, but never to P0
    assert "商品价值300元" in ticket.context["handoff"]["补充信息"]


@pytest.mark.django_db
def test_angry_customer_is_handed_off_with_the_summary_card(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK)
    chat("SF1409821733526 到哪了")
    turn = chat("你们这什么垃圾快递！！！卡了三天了，我要投诉到12315")
    assert turn["handoff"] is True
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    card = ticket.context["handoff"]
    assert "情绪激动" in card["已触发"]
    assert "SF1409821733526" in card["补充信息"]  # the agent never asks for it again
    assert ticket.context["handoff_reason"] == "strong_emotion"
    # Further messages go to the agent, on the ticket's thread.
    turn = chat("人呢？")
    assert turn["handoff"] is True
    assert ticket.comments.filter(body="人呢？", visibility="public").exists()


@pytest.mark.django_db
def test_never_asks_for_the_waybill_twice(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK)
    parcel("YT7512345678901", "13900001111", MOVING, carrier="yto")
    chat("SF1409821733526 到哪了")
    turn = chat("能帮我催一下吗")
    assert "哪一个" not in turn["replies"][0]["text"]
    assert turn["ticket"] is not None  # stalled: an urge ticket for the remembered parcel
    ticket = Ticket.objects.get(number=turn["ticket"]["number"])
    assert ticket.category.code == "urge_delivery"
    assert [w.number for w in ticket.waybill_rows.all()] == ["SF1409821733526"]


@pytest.mark.django_db
def test_ticket_progress_in_customer_words(chat, parcel, setup):
    parcel("SF1409821733526", "13900001111", STUCK)
    number = chat("快递SF1409821733526丢了")["ticket"]["number"]
    turn = chat(f"我的工单{number}处理到哪了")
    assert turn["understanding"]["intent"] == "ticket_progress"
    assert f"工单 {number}" in turn["replies"][0]["text"]
    assert "已受理" in turn["replies"][0]["text"]


@pytest.mark.django_db
def test_api_contract_and_scoping(chat, parcel):
    turn = chat("你好")
    assert set(turn) == {"replies", "understanding", "ticket", "handoff"}
    assert set(turn["understanding"]) == {"intent", "confidence", "slots", "emotion"}
    assert {"type", "text"} <= set(turn["replies"][0])
    transcript = chat.client.get(f"/api/chat/sessions/{chat.session}/").json()
    assert [m["sender"] for m in transcript["messages"]] == ["customer", "bot"]
    other = ensure_customer_user("13900002222")
    intruder = APIClient()
    intruder.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=other.user)}")
    for method, url in (("get", f"/api/chat/sessions/{chat.session}/"),
                        ("post", f"/api/chat/sessions/{chat.session}/messages/")):
        response = getattr(intruder, method)(url, {"text": "hi"}, format="json")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = chat.client.post(f"/api/chat/sessions/{chat.session}/messages/", {"text": " "},
                                format="json")
    assert (response.status_code, response.json()["code"]) == (400, "empty_message")


@pytest.mark.django_db
def test_staff_acts_for_a_customer_phone(nlu_model, setup):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=setup.agent)}")
    response = client.post("/api/chat/sessions/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "missing_fields")
    response = client.post("/api/chat/sessions/", {"customer_phone": "13900003333"},
                           format="json")
    assert response.status_code == 201


@pytest.mark.django_db
def test_international_parcel_in_customs_gets_the_customs_explanation(chat, parcel):
    parcel("EA123456785CN", "13900001111",
           [(50, "picked_up", "东京", "Accepted"),
            (30, "customs", "上海浦东国际机场海关", "海关查验中")],
           carrier="upu")
    turn = chat("我的国际件到哪了")
    assert "清关" in turn["replies"][0]["text"]


@pytest.mark.django_db
def test_a_named_hub_picks_the_parcel_without_asking(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK)
    parcel("YT7512345678901", "13900001111", MOVING, carrier="yto")
    turn = chat("我的快递怎么卡在杭州中转场3天了")
    assert "哪一个" not in turn["replies"][0]["text"]
    assert "尾号3526" in turn["replies"][0]["text"]


@pytest.mark.django_db
def test_urging_a_parcel_on_schedule_explains_why_no_ticket(chat, parcel):
    parcel("YT7512345678901", "13900001111", MOVING, carrier="yto")
    turn = chat("YT7512345678901 能催一下吗")
    assert turn["ticket"] is None
    assert any("暂时不需要催件" in r["text"] for r in turn["replies"])
