from django.urls import path

from tickets.api import clock, quality, views

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
    # ticket templates, merging, quality review (tickets/quality/README.md)
    path("categories/<slug:code>/template/", quality.CategoryTemplateView.as_view(),
         name="category-template"),
    path("tickets/<int:ticket_id>/form/", quality.TicketFormView.as_view(), name="ticket-form"),
    path("tickets/<int:ticket_id>/merge/", quality.TicketMergeView.as_view(),
         name="ticket-merge"),
    path("tickets/<int:ticket_id>/duplicates/", quality.TicketDuplicatesView.as_view(),
         name="ticket-duplicates"),
    path("tickets/<int:ticket_id>/quality/", quality.TicketQualityView.as_view(),
         name="ticket-quality"),
    path("quality/agents/", quality.AgentQualityView.as_view(), name="quality-agents"),
    # the resolution clock: state, waiting on the customer (tickets/actions/clock.py)
    path("tickets/<int:ticket_id>/clock/", clock.TicketClockView.as_view(), name="ticket-clock"),
    path("tickets/<int:ticket_id>/clock/wait-customer/", clock.WaitOnCustomerView.as_view(),
         name="ticket-clock-wait-customer"),
    path("tickets/<int:ticket_id>/clock/customer-answered/",
         clock.CustomerAnsweredView.as_view(), name="ticket-clock-customer-answered"),
]
