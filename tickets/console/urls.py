"""The agent console (/console/): pages, form posts into actions, live panels."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from tickets.console import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(next_page="console:login"), name="logout"),
    path("review/", views.review, name="review"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("status/", views.agent_status, name="agent-status"),
    path("tickets/<int:ticket_id>/", views.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/transitions/<slug:name>/", views.transition,
         name="transition"),
    path("tickets/<int:ticket_id>/comments/", views.comment, name="comment"),
    path("tickets/<int:ticket_id>/attachments/", views.attachment, name="attachment"),
    path("tickets/<int:ticket_id>/form/", views.form_values, name="form"),
    path("panels/<slug:name>/", views.panel, name="panel"),
]
