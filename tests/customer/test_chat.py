"""The chat as the signed-in customer: the chatbot's dialogue, own conversations only."""

import pytest

pytestmark = pytest.mark.django_db


def test_customer_chats_with_the_bot_about_their_parcel(world, nlu_model):
    created = world.api_a.post("/api/customer/chat/sessions/")
    assert created.status_code == 201
    conversation = created.json()["id"]
    turn = world.api_a.post(f"/api/customer/chat/sessions/{conversation}/messages/",
                            {"text": "我的快递SF1409821733526到哪了"}, format="json")
    assert turn.status_code == 200
    body = turn.json()
    assert body["understanding"]["intent"] in ("track_query", "urge_delivery")
    assert any("杭州" in r["text"] for r in body["replies"])
    transcript = world.api_a.get(f"/api/customer/chat/sessions/{conversation}/").json()
    assert [m["sender"] for m in transcript["messages"]][:2] == ["customer", "bot"]
    sessions = world.api_a.get("/api/customer/chat/sessions/").json()["results"]
    assert {s["id"] for s in sessions} == {world.conv_a.pk, conversation}
    empty = world.api_a.post(f"/api/customer/chat/sessions/{conversation}/messages/",
                             {"text": " "}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "empty_message"


def test_session_list_query_count_is_constant(world, django_assert_max_num_queries):
    from chatbot.models import Conversation

    for _ in range(5):
        Conversation.objects.create(customer=world.a, state={}, ticket=world.open_a)
    with django_assert_max_num_queries(7):
        rows = world.api_a.get("/api/customer/chat/sessions/").json()["results"]
    assert len(rows) == 6 and rows[0]["ticket"]["number"] == world.open_a.number
