from django.urls import path

from routing.api import views

urlpatterns = [
    path("queues/", views.QueueStatsView.as_view(), name="routing-queues"),
    path("agents/", views.AgentStatesView.as_view(), name="routing-agents"),
    path("me/status/", views.MyStatusView.as_view(), name="routing-my-status"),
]
