"""/metrics: Prometheus exposition (config/urls.py mounts this at `metrics`).

Open when METRICS_TOKEN is empty (scraped from the internal network); otherwise the scraper
sends `Authorization: Bearer <METRICS_TOKEN>`.
"""

import hmac

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from analytics.metrics import DatabaseCollector

registry = CollectorRegistry(auto_describe=False)
registry.register(DatabaseCollector())


def metrics(request):
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return HttpResponse("unauthorized\n", status=401, content_type="text/plain")
    # Prometheus text format, or OpenMetrics when the scraper asks for it.
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encoder(registry), content_type=content_type)


urlpatterns = [path("", metrics, name="metrics")]
