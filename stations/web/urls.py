"""/station/: the station's phone page, and the recipient's answer page."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from stations.web import views

app_name = "stations-web"

urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("login/", views.StationLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(next_page="stations-web:login"), name="logout"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("answer/<str:token>/", views.answer_address_check, name="answer"),
]
