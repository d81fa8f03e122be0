"""/api/courier/: couriers' address checks, and the recipient's answer (by token)."""

from django.urls import path

from stations.api import views

urlpatterns = [
    path("address-checks/", views.AddressCheckCreateView.as_view(), name="address-checks"),
    path("address-checks/answer/", views.AddressCheckAnswerView.as_view(),
         name="address-check-answer"),
]
