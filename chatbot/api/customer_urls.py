from django.urls import path

from chatbot.api import customer_views as views

urlpatterns = [
    path("sessions/", views.CustomerSessionsView.as_view(), name="customer-chat-sessions"),
    path("sessions/<int:conversation_id>/", views.CustomerTranscriptView.as_view(),
         name="customer-chat-transcript"),
    path("sessions/<int:conversation_id>/messages/", views.CustomerMessageView.as_view(),
         name="customer-chat-messages"),
]
