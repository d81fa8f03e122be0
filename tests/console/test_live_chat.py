"""Live chat after handoff: the agent's reply reaches the customer's chat session, and the
customer's next message reaches the console live (not the bot)."""

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from chatbot.choices import ConversationStatus
from chatbot.models import Conversation
from tests.factories import CustomerFactory, ticket_in
from tickets.consumers import ConsoleConsumer

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_off(setup):
    customer = CustomerFactory(phone="13800138000")
    ticket = ticket_in(setup, "processing", customer_phone=customer.phone)
    conversation = Conversation.objects.create(customer=customer, ticket=ticket,
                                               status=ConversationStatus.HANDOFF)
    return customer, ticket, conversation


def test_an_agent_reply_reaches_the_customers_chat(setup, handed_off,
                                                   django_capture_on_commit_callbacks):
    customer, ticket, conversation = handed_off
    agent = Client()
    agent.force_login(setup.agent)
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(f"/console/tickets/{ticket.pk}/comments/",
                   {"body": "您好，网点已确认明早派送", "visibility": "public"})
        agent.post(f"/console/tickets/{ticket.pk}/comments/",
                   {"body": "内部：网点说缺人", "visibility": "internal"})
    me = Client()
    me.force_login(customer.user)
    transcript = me.get(f"/api/chat/sessions/{conversation.pk}/").json()
    assert [(m["sender"], m["text"]) for m in transcript["messages"]] == [
        ("agent", "您好，网点已确认明早派送")]  # the internal note stays internal


def test_a_reply_without_a_handed_off_chat_changes_no_chat(setup,
                                                           django_capture_on_commit_callbacks):
    from chatbot.models import Message

    ticket = ticket_in(setup, "processing")
    agent = Client()
    agent.force_login(setup.agent)
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(f"/console/tickets/{ticket.pk}/comments/",
                   {"body": "已回电", "visibility": "public"})
    assert not Message.objects.exists()
    assert ticket.comments.count() == 1


def test_the_customers_next_message_appears_in_the_console(setup, handed_off, run, commit,
                                                           monkeypatch):
    from channels.db import database_sync_to_async

    import chatbot.actions
    from chatbot.actions import check_post_message

    customer, ticket, conversation = handed_off
    # A handed-off chat does not ask the bot; only the (trained) NLU's annotation is skipped.
    monkeypatch.setattr(chatbot.actions, "understand", lambda text: {
        "intent": "other", "confidence": 1.0, "slots": {}, "emotion": "neutral"})

    async def scenario():
        comm = WebsocketCommunicator(ConsoleConsumer.as_asgi(), "/ws/console/")
        comm.scope["user"] = setup.agent
        assert (await comm.connect())[0]
        await comm.receive_json_from()
        turn = await database_sync_to_async(commit)(
            check_post_message, conversation=conversation, text="那我明天在家等")
        assert turn["handoff"] is True
        event = await comm.receive_json_from(timeout=2)
        assert (event["id"], event["change"]) == (ticket.pk, "comment")
        assert event["comment"]["body"] == "那我明天在家等"
        assert event["comment"]["from_customer"] is True
        await comm.disconnect()

    run(scenario)
    html = Client()
    html.force_login(setup.agent)
    page = html.get(f"/console/tickets/{ticket.pk}/").content.decode()
    assert "那我明天在家等" in page


def test_the_customer_hears_the_agent_reply_on_their_chat_socket(setup, handed_off, run,
                                                                  commit):
    from channels.db import database_sync_to_async
    from rest_framework.authtoken.models import Token

    from config.asgi import application
    from tickets import actions

    customer, ticket, conversation = handed_off
    token = Token.objects.create(user=customer.user).key
    stranger = CustomerFactory(phone="13900139000")
    stranger_token = Token.objects.create(user=stranger.user).key
    path = f"/ws/chat/{conversation.pk}/"

    def socket(*headers):
        return WebsocketCommunicator(application, path, headers=[
            (b"origin", b"http://testserver"), *headers])

    async def scenario():
        assert not (await socket().connect())[0]  # anonymous
        assert not (await socket((b"authorization",
                                  f"Token {stranger_token}".encode())).connect())[0]
        mine = socket((b"authorization", f"Token {token}".encode()))
        assert (await mine.connect())[0]
        await database_sync_to_async(commit)(
            actions.check_add_comment, user=setup.agent, ticket_id=ticket.pk,
            body="您好，明早派送", visibility="public")
        event = await mine.receive_json_from(timeout=2)
        assert (event["type"], event["sender"], event["text"]) == ("chat", "agent",
                                                                   "您好，明早派送")
        assert event["conversation_id"] == conversation.pk
        await database_sync_to_async(commit)(
            actions.check_add_comment, user=setup.agent, ticket_id=ticket.pk,
            body="内部备注", visibility="internal")
        assert await mine.receive_nothing(timeout=0.2)
        await mine.disconnect()

    run(scenario)
