"""Chat writes: open a session, take a customer turn (understand → dialogue → replies)."""

from django.db import transaction
from django.utils.translation import gettext as _

from chatbot.choices import ConversationStatus, Sender
from chatbot.dialogue.policy import Dialogue
from chatbot.models import Conversation, Message
from chatbot.nlu.pipeline import understand
from chatbot.services import TicketPorts
from config.errors import DomainError

MAX_TEXT = 2000


def do_start_conversation(*, customer) -> Conversation:
    return Conversation.objects.create(customer=customer, state={})


def check_post_message(*, conversation: Conversation, text: str) -> dict:
    """Caller checked the conversation is this customer's. Returns the API turn shape."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_("The message is empty."), code="empty_message")
    if len(text) > MAX_TEXT:
        raise DomainError(_("The message is too long."), code="message_too_long")
    understanding = understand(text)  # outside the transaction: CPU only
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        Message.objects.create(conversation=conversation, sender=Sender.CUSTOMER, text=text,
                               data={"understanding": understanding})
        ports = TicketPorts()
        if conversation.status == ConversationStatus.HANDOFF:
            ports.relay_to_ticket(conversation, text)
            replies = [{"type": "text", "text": str(_(
                "Your message has been passed to the agent handling your case."))}]
            ticket, handoff = conversation.ticket, True
        else:
            turn = Dialogue(conversation, ports).turn(text, {**understanding, "text": text})
            replies, ticket, handoff = turn.replies, turn.ticket, turn.handoff
            if handoff:
                conversation.status = ConversationStatus.HANDOFF
        Message.objects.bulk_create(
            Message(conversation=conversation, sender=Sender.BOT, text=reply["text"],
                    data={"buttons": reply.get("buttons", [])}) for reply in replies)
        conversation.save(update_fields=["state", "status", "ticket", "updated_at"])
    shown = conversation.ticket if ticket is None else ticket
    return {
        "replies": replies,
        "understanding": {k: understanding[k] for k in ("intent", "confidence", "slots",
                                                       "emotion")},
        "ticket": {"number": shown.number, "status": shown.status} if shown else None,
        "handoff": handoff,
    }


def do_relay_agent_reply(*, conversation_id: int, text: str, comment_id: int) -> Message:
    """The agent's reply (a public ticket comment) as a message of the customer's chat; the
    customer's client hears it on `chat.<conversation id>` (and sees it when polling)."""
    from config.effects import send_event_on_commit

    with transaction.atomic():
        message = Message.objects.create(conversation_id=conversation_id, sender=Sender.AGENT,
                                         text=text, data={"comment_id": comment_id})
        Conversation.objects.filter(pk=conversation_id).update(updated_at=message.created_at)
        send_event_on_commit(f"chat.{conversation_id}", {
            "type": "chat", "op": "message", "conversation_id": conversation_id,
            "sender": Sender.AGENT, "text": message.text,
            "created_at": message.created_at.isoformat()})
    return message


def do_notify_customer(*, customer, text: str, buttons=(), conversation_id: int | None = None,
                       data: dict | None = None) -> Message:
    """A message from the service to the customer's chat (e.g. stations: a courier's address
    check, a station's answer): into `conversation_id` if given, else the customer's latest
    conversation, else a new one. The client hears it on `chat.<conversation id>`."""
    from config.effects import send_event_on_commit

    with transaction.atomic():
        conversation = None
        if conversation_id is not None:
            conversation = Conversation.objects.filter(pk=conversation_id,
                                                       customer=customer).first()
        if conversation is None:
            conversation = (Conversation.objects.filter(customer=customer)
                            .order_by("-updated_at", "-id").first())
        if conversation is None:
            conversation = do_start_conversation(customer=customer)
        message = Message.objects.create(conversation=conversation, sender=Sender.BOT,
                                         text=text, data={"buttons": list(buttons),
                                                          **(data or {})})
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=message.created_at)
        send_event_on_commit(f"chat.{conversation.pk}", {
            "type": "chat", "op": "message", "conversation_id": conversation.pk,
            "sender": Sender.BOT, "text": message.text, "buttons": list(buttons),
            "created_at": message.created_at.isoformat()})
    return message
