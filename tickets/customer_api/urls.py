from django.urls import path

from tickets.customer_api import views

urlpatterns = [
    path("auth/sms/code/", views.SmsCodeView.as_view(), name="customer-sms-code"),
    path("auth/sms/login/", views.SmsLoginView.as_view(), name="customer-sms-login"),
    path("auth/wechat/login/", views.WeChatLoginView.as_view(), name="customer-wechat-login"),
    path("auth/logout/", views.LogoutView.as_view(), name="customer-logout"),
    path("me/", views.MeView.as_view(), name="customer-me"),
    path("shipments/", views.ShipmentListView.as_view(), name="customer-shipments"),
    path("shipments/<str:number>/", views.ShipmentDetailView.as_view(),
         name="customer-shipment"),
    path("shipments/<str:number>/trajectory/", views.ShipmentTrajectoryView.as_view(),
         name="customer-shipment-trajectory"),
    path("shipments/<str:number>/eta/", views.ShipmentEtaView.as_view(),
         name="customer-shipment-eta"),
    path("tickets/", views.TicketListView.as_view(), name="customer-tickets"),
    path("tickets/<int:ticket_id>/", views.TicketDetailView.as_view(), name="customer-ticket"),
    path("tickets/<int:ticket_id>/comments/", views.TicketCommentsView.as_view(),
         name="customer-ticket-comments"),
    path("tickets/<int:ticket_id>/attachments/", views.TicketAttachmentsView.as_view(),
         name="customer-ticket-attachments"),
    path("tickets/<int:ticket_id>/reopen/", views.TicketReopenView.as_view(),
         name="customer-ticket-reopen"),
    path("tickets/<int:ticket_id>/csat/", views.TicketCsatView.as_view(),
         name="customer-ticket-csat"),
    path("delivery-changes/", views.DeliveryChangeView.as_view(),
         name="customer-delivery-changes"),
]
