"""WebSocket routes of every app (the agent console's consumers join here)."""

websocket_urlpatterns: list = []
