"""Prometheus metrics, read from the database at scrape time (a custom collector: every web
process and worker sees the same numbers, no per-process counters to add up).

Counters are monotonic counts of rows that are never deleted (breaches, payloads, messages).
Scrapes are cached for METRICS_CACHE_SECONDS so a tight scrape interval costs little.
"""

import time

from django.conf import settings
from django.db.models import Count, Q
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily


def _tickets(families):
    from tickets.choices import Status
    from tickets.roles import system_user
    from tickets.selectors import visible_tickets

    tickets = visible_tickets(system_user()).order_by()
    by_state = GaugeMetricFamily("parceldesk_tickets", "Tickets by status and priority.",
                                 labels=["status", "priority"])
    for status, priority, n in tickets.values_list("status", "priority").annotate(
            n=Count("id")).values_list("status", "priority", "n"):
        by_state.add_metric([status, priority], n)
    waiting = GaugeMetricFamily("parceldesk_tickets_waiting",
                                "Tickets waiting for an agent (received), by priority.",
                                labels=["priority"])
    counts = dict(tickets.filter(status=Status.RECEIVED).values_list("priority")
                  .annotate(n=Count("id")).values_list("priority", "n"))
    for priority in ("P0", "P1", "P2", "P3"):
        waiting.add_metric([priority], counts.get(priority, 0))
    breaches = CounterMetricFamily("parceldesk_sla_breaches",
                                   "SLA breaches recorded (response, resolution).",
                                   labels=["sla"])
    open_breached = GaugeMetricFamily("parceldesk_sla_breached_open_tickets",
                                      "Open tickets with a breached SLA.", labels=["sla"])
    figures = tickets.aggregate(
        response=Count("id", filter=Q(response_breached_at__isnull=False)),
        resolution=Count("id", filter=Q(resolve_breached_at__isnull=False)),
        response_open=Count("id", filter=Q(response_breached_at__isnull=False)
                            & ~Q(status=Status.CLOSED)),
        resolution_open=Count("id", filter=Q(resolve_breached_at__isnull=False)
                              & ~Q(status=Status.CLOSED)))
    for sla in ("response", "resolution"):
        breaches.add_metric([sla], figures[sla])
        open_breached.add_metric([sla], figures[f"{sla}_open"])
    families += [by_state, waiting, breaches, open_breached]


def _logistics(families):
    from logistics.models import DeadLetter, RawPayload

    intake = CounterMetricFamily("parceldesk_tracking_payloads",
                                 "Tracking payloads received, by source, channel and status.",
                                 labels=["source", "channel", "status"])
    for source, channel, status, n in (RawPayload.objects.order_by()
                                       .values_list("source", "channel", "status")
                                       .annotate(n=Count("id"))
                                       .values_list("source", "channel", "status", "n")):
        intake.add_metric([source, channel, status], n)
    dead = GaugeMetricFamily("parceldesk_tracking_dead_letters",
                             "Dead letters by source and status.", labels=["source", "status"])
    for source, status, n in (DeadLetter.objects.order_by().values_list("source", "status")
                              .annotate(n=Count("id")).values_list("source", "status", "n")):
        dead.add_metric([source, status], n)
    families += [intake, dead]


def _chat(families):
    from chatbot.models import Message

    turns = CounterMetricFamily("parceldesk_chat_messages",
                                "Chat messages by sender (customer messages are turns).",
                                labels=["sender"])
    for sender, n in (Message.objects.order_by().values_list("sender")
                      .annotate(n=Count("id")).values_list("sender", "n")):
        turns.add_metric([sender], n)
    families.append(turns)


def _anomalies(families):
    from analytics.models import AlertEpisode, Incident

    incidents = GaugeMetricFamily("parceldesk_anomaly_incidents",
                                  "Batch incidents by kind and status.",
                                  labels=["kind", "status"])
    for kind, status, n in (Incident.objects.order_by().values_list("kind", "status")
                            .annotate(n=Count("id")).values_list("kind", "status", "n")):
        incidents.add_metric([kind, status], n)
    alerting = GaugeMetricFamily("parceldesk_backlog_alert_active",
                                 "1 while a backlog alert episode is open.", labels=["rule"])
    for name, n in (AlertEpisode.objects.filter(ended_at__isnull=True).order_by()
                    .values_list("rule__name").annotate(n=Count("id"))
                    .values_list("rule__name", "n")):
        alerting.add_metric([name], n)
    families += [incidents, alerting]


class DatabaseCollector:
    _cache: tuple[float, list] | None = None

    def collect(self):
        ttl = getattr(settings, "METRICS_CACHE_SECONDS", 10)
        cached = DatabaseCollector._cache
        if cached and time.monotonic() - cached[0] < ttl:
            yield from cached[1]
            return
        families: list = []
        for part in (_tickets, _logistics, _chat, _anomalies):
            part(families)
        DatabaseCollector._cache = (time.monotonic(), families)
        yield from families


def clear_cache() -> None:
    DatabaseCollector._cache = None
