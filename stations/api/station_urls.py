"""/api/station/: a station's own tasks (staff and couriers)."""

from django.urls import path

from stations.api import views

urlpatterns = [
    path("tasks/", views.StationTaskListView.as_view(), name="station-tasks"),
    path("tasks/<int:task_id>/", views.StationTaskDetailView.as_view(),
         name="station-task"),
    path("tasks/<int:task_id>/complete/", views.StationTaskCompleteView.as_view(),
         name="station-task-complete"),
]
