"""After handoff, the agent's replies reach the customer's chat session.

Tickets calls `relay_agent_reply` (registered in ChatbotConfig.ready through tickets.hooks)
inside the comment's transaction, holding the ticket's row lock. The chat message is written
after that commits, in its own transaction: the customer's turn locks the conversation and
then the ticket, so taking the conversation here under the ticket's lock could deadlock.
"""

from functools import partial

from django.db import transaction

from chatbot.choices import ConversationStatus


def relay_agent_reply(*, ticket, comment) -> None:
    from chatbot.actions import do_relay_agent_reply
    from chatbot.models import Conversation

    conversation_id = (Conversation.objects.filter(ticket_id=ticket.pk,
                                                   status=ConversationStatus.HANDOFF)
                       .order_by("-updated_at", "-id").values_list("pk", flat=True).first())
    if conversation_id is None:
        return
    # robust: a failure here is logged and leaves the committed reply on the ticket (the agent
    # sees it in the thread); it must not turn the agent's request into an error.
    transaction.on_commit(partial(do_relay_agent_reply, conversation_id=conversation_id,
                                  text=comment.body, comment_id=comment.pk), robust=True)
