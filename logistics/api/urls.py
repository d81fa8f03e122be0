from django.urls import path

from logistics.api import views

urlpatterns = [
    path("webhooks/<slug:source>/", views.WebhookView.as_view(), name="logistics-webhook"),
    path("shipments/", views.ShipmentRegisterView.as_view(), name="logistics-shipments"),
    path("shipments/<str:tracking_number>/", views.ShipmentDetailView.as_view(),
         name="logistics-shipment-detail"),
]
