"""Under /api/: what agents do with stations from a ticket."""

from django.urls import path

from stations.api import views

urlpatterns = [
    path("tickets/<int:ticket_id>/station-tasks/", views.TicketStationTasksView.as_view(),
         name="ticket-station-tasks"),
]
