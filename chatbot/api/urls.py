from django.urls import path

from chatbot.api import views

urlpatterns = [
    path("sessions/", views.SessionCreateView.as_view(), name="chat-sessions"),
    path("sessions/<int:conversation_id>/", views.TranscriptView.as_view(),
         name="chat-transcript"),
    path("sessions/<int:conversation_id>/messages/", views.MessageView.as_view(),
         name="chat-messages"),
]
