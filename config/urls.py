from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from config.api import FirstRendererNegotiation
from config.health import healthz

admin.site.site_header = _("ParcelDesk operations")
admin.site.site_title = "ParcelDesk"
admin.site.index_title = _("Configuration")

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(
        url_name="api-schema", content_negotiation_class=FirstRendererNegotiation),
        name="api-docs"),
    path("console/kb/", include("knowledge.console_urls")),
    path("console/", include("tickets.console.urls")),
    path("station/", include("stations.web.urls")),
    path("metrics", include("analytics.metrics_urls")),
    path("api/customer/", include("config.customer_urls")),
    path("api/analytics/", include("analytics.api.urls")),
    path("api/kb/", include("knowledge.api.urls")),
    path("api/station/", include("stations.api.station_urls")),
    path("api/courier/", include("stations.api.courier_urls")),
    # Ticket sub-resources owned by apps that tickets must not import (DESIGN.md: arrows)
    path("api/", include("knowledge.api.ticket_urls")),
    path("api/", include("stations.api.ticket_urls")),
    path("api/logistics/", include("logistics.api.urls")),
    path("api/chat/", include("chatbot.api.urls")),
    path("api/routing/", include("routing.api.urls")),
    path("api/", include("tickets.api.urls")),
]

if "bench.bareapp" in settings.INSTALLED_APPS:  # PARCELDESK_BENCH=1: the benchmark's baseline
    urlpatterns.append(path("bench/", include("bench.bareapp.urls")))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
