"""WebSocket routes of every app (the agent console's consumers join here)."""

from django.urls import path

from chatbot.consumers import ChatConsumer
from stations.consumers import StationConsumer
from tickets.consumers import ConsoleConsumer

websocket_urlpatterns: list = [
    path("ws/console/", ConsoleConsumer.as_asgi()),
    path("ws/chat/<int:conversation_id>/", ChatConsumer.as_asgi()),
    path("ws/station/", StationConsumer.as_asgi()),
]
