"""/ws/station/: a station member's task list follows live. Never writes.

Joins `station.<id>` (every task of the member's station) and `user.<id>` (a courier's own
tasks); forwards only `station_task` events, so nothing else sent to a user's group leaks here.
"""

from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

UNAUTHENTICATED = 4401
FORBIDDEN = 4403


@database_sync_to_async
def _station_of(user_id: int) -> int | None:
    from stations.models import StationMember

    return (StationMember.objects.filter(user_id=user_id, user__is_active=True)
            .values_list("station_id", flat=True).first())


class StationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        self.groups_joined: list[str] = []
        self.seen: deque = deque(maxlen=64)
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        station_id = await _station_of(user.pk)
        if station_id is None:
            await self.close(code=FORBIDDEN)
            return
        self.station_id = station_id
        self.groups_joined = [f"station.{station_id}", f"user.{user.pk}"]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "station": station_id})

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def pd_event(self, message):
        event = message.get("event") or {}
        if event.get("type") != "station_task":
            return
        key = message.get("id") or (event.get("id"), event.get("op"), event.get("status"))
        if key in self.seen:
            return  # the same event through the station's and the courier's group
        self.seen.append(key)
        await self.send_json(event)
