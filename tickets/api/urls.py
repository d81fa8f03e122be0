from django.urls import path

from tickets.api import views

urlpatterns = [
    path("tickets/", views.TicketListCreateView.as_view(), name="ticket-list"),
    path("tickets/<int:ticket_id>/", views.TicketDetailView.as_view(), name="ticket-detail"),
    path("tickets/<int:ticket_id>/transitions/<slug:name>/",
         views.TicketTransitionView.as_view(), name="ticket-transition"),
    path("tickets/<int:ticket_id>/comments/", views.TicketCommentsView.as_view(),
         name="ticket-comments"),
    path("tickets/<int:ticket_id>/attachments/", views.TicketAttachmentsView.as_view(),
         name="ticket-attachments"),
    path("tickets/<int:ticket_id>/events/", views.TicketEventsView.as_view(),
         name="ticket-events"),
    path("categories/", views.CategoryListView.as_view(), name="category-list"),
]
