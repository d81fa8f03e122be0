"""The customer's side of a handed-off chat, live: `ws/chat/<conversation id>/` forwards the
agent's replies (events on `chat.<id>`, sent by chatbot.actions.do_relay_agent_reply).

Signed in by session, or — for the mini-program, whose wx.connectSocket can set headers —
by an `Authorization: Token …` header (never a token in the URL, which ends up in logs). Only
the conversation's own customer (or staff) may listen. Never writes.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer


@database_sync_to_async
def _may_listen(user, headers, conversation_id) -> bool:
    from chatbot.models import Conversation
    from tickets.roles import is_staff_member

    if user is None or not user.is_authenticated:
        auth = dict(headers).get(b"authorization", b"").decode("latin-1").split()
        if len(auth) != 2 or auth[0].lower() != "token":
            return False
        from rest_framework.authtoken.models import Token

        token = Token.objects.select_related("user").filter(key=auth[1]).first()
        user = token.user if token and token.user.is_active else None
        if user is None:
            return False
    qs = Conversation.objects.filter(pk=conversation_id)
    if not is_staff_member(user):
        qs = qs.filter(customer__user_id=user.pk)
    return qs.exists()


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        if not await _may_listen(self.scope.get("user"), self.scope.get("headers", []),
                                 conversation_id):
            await self.close(code=4403)
            return
        self.group = f"chat.{conversation_id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def pd_event(self, message):
        await self.send_json(message["event"])
