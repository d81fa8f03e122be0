"""Agent assist on a ticket, under /api/: suggestions and macros."""

from django.urls import path

from knowledge.api import views

urlpatterns = [
    path("tickets/<int:ticket_id>/suggestions/", views.SuggestionsView.as_view(),
         name="ticket-suggestions"),
    path("tickets/<int:ticket_id>/macros/", views.TicketMacrosView.as_view(),
         name="ticket-macros"),
    path("tickets/<int:ticket_id>/macros/<int:macro_id>/", views.TicketMacroView.as_view(),
         name="ticket-macro"),
]
