from django.urls import path

from analytics.api import views

urlpatterns = [
    path("kpis/", views.KpiView.as_view(), name="analytics-kpis"),
    path("incidents/", views.IncidentListView.as_view(), name="analytics-incidents"),
    path("reports/", views.ReportListView.as_view(), name="analytics-reports"),
    path("reports/<int:report_id>/files/<str:name>", views.ReportFileView.as_view(),
         name="analytics-report-file"),
]
