"""The console's WebSocket: authenticate by session, join the user's groups, forward events.

Never writes (HOUSE_STYLE.md). Events come from actions after commit, as `pd.event` messages
on the groups chosen by tickets.selectors.console_groups — the same rule as visible_tickets, so
a user hears only about tickets they may open. Queue memberships are re-read in the background
every CONSOLE_GROUPS_TTL seconds (jittered, so hundreds of consoles do not query at once); an
agent taken out of a queue stops hearing it by then. Forwarding an event reads nothing.
"""

import asyncio
import random
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from tickets.selectors import console_groups

# Close codes (4000–4999 are the application's): not signed in, signed in but not staff.
UNAUTHENTICATED = 4401
FORBIDDEN = 4403


@database_sync_to_async
def _groups_of(user_id: int) -> list[str]:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    return console_groups(user) if user is not None else []


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        self.joined: set[str] = set()
        self.seen: deque[str] = deque(maxlen=64)
        self.refresher = None
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user_id = user.pk
        groups = await _groups_of(user.pk)
        if not groups:
            await self.close(code=FORBIDDEN)
            return
        await self._join(groups)
        await self.accept()
        await self.send_json({"type": "hello", "user_id": user.pk, "groups": groups})
        self.refresher = asyncio.ensure_future(self._refresh_groups(settings.CONSOLE_GROUPS_TTL))

    async def _join(self, groups: list[str]) -> None:
        wanted = set(groups)
        for group in wanted - self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        for group in self.joined - wanted:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = wanted

    async def _refresh_groups(self, ttl: float) -> None:
        while True:
            await asyncio.sleep(ttl * random.uniform(0.5, 1.0))
            groups = await _groups_of(self.user_id)
            if not groups:  # deactivated, or no longer staff
                await self.close(code=FORBIDDEN)
                return
            await self._join(groups)

    async def disconnect(self, code):
        if self.refresher is not None:
            self.refresher.cancel()
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = set()

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def pd_event(self, message):
        if message.get("group") not in self.joined:
            return  # sent to a group this socket has just left
        event_id = message.get("id")
        if event_id in self.seen:
            return  # the same event through a second group (owner and queue member)
        self.seen.append(event_id)
        await self.send_json(message["event"])
