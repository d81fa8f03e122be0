"""/api/customer/: the mini-program's API, composed from the apps that own each part
(tickets must not import chatbot, so the chat is included here)."""

from django.urls import include, path

urlpatterns = [
    path("", include("tickets.customer_api.urls")),
    path("chat/", include("chatbot.api.customer_urls")),
]
