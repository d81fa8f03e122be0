"""/metrics exposition, the P1 backlog alert, reports, the support suggestion, the beat."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from analytics.metrics import clear_cache
from analytics.models import AlertEpisode, Report

pytestmark = pytest.mark.django_db


def p1(setup, n):
    from tickets.actions import check_create_ticket

    return [check_create_ticket(user=setup.supervisor, title="急", category_code="urge_delivery",
                                priority="P1") for _ in range(n)]


def scrape(**headers):
    clear_cache()
    return Client().get("/metrics", **headers)


def samples(response):
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.content.decode())
            for s in family.samples}


def test_metrics_exposition(setup, settings):
    settings.METRICS_TOKEN = ""
    p1(setup, 2)
    response = scrape()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    got = samples(response)
    assert got[("parceldesk_tickets", (("priority", "P1"), ("status", "received")))] == 2
    assert got[("parceldesk_tickets_waiting", (("priority", "P1"),))] == 2
    assert got[("parceldesk_tickets_waiting", (("priority", "P0"),))] == 0
    assert got[("parceldesk_sla_breaches_total", (("sla", "response"),))] == 0
    names = {name for name, _labels in got}
    assert {"parceldesk_sla_breached_open_tickets"} <= names


def test_metrics_token(setup, settings):
    settings.METRICS_TOKEN = "s3cret"
    assert scrape().status_code == 401
    assert scrape(HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200


def test_alert_rules_file_has_the_p1_rule():
    import yaml
    from django.conf import settings

    rules = yaml.safe_load((settings.BASE_DIR / "analytics" / "alerts.rules.yml").read_text())
    (p1_rule,) = [r for g in rules["groups"] for r in g["rules"]
                  if r["alert"] == "P1TicketsWaiting"]
    assert p1_rule["expr"] == 'sum(parceldesk_tickets_waiting{priority="P1"}) > 5'
    assert p1_rule["labels"]["team"] == "supervisor"


def test_p1_backlog_alerts_the_supervisor_once_per_episode(setup, outbox, commit):
    from analytics.actions import do_check_backlog_alerts

    def alerts():
        return [m for m in outbox if m["payload"].get("kind") == "backlog_alert"]

    tickets = p1(setup, 5)
    with commit():
        assert do_check_backlog_alerts() == []  # 5 is not above 5
    p1(setup, 1)
    with commit():
        do_check_backlog_alerts()
        do_check_backlog_alerts()
    (alert,) = alerts()
    assert alert["channel"] == "wecom" and alert["recipient"] == "supervisor01"
    assert "6" in alert["body"]
    # back under the threshold ends the episode; the next rise alerts again
    from tickets.actions import check_assign_ticket

    check_assign_ticket(user=setup.supervisor, ticket_id=tickets[0].pk,
                        assignee_id=setup.agent.pk)
    with commit():
        do_check_backlog_alerts()
    assert AlertEpisode.objects.get().ended_at is not None
    p1(setup, 1)
    with commit():
        do_check_backlog_alerts()
    assert len(alerts()) == 2


def test_build_report_writes_html_csv_and_charts(setup, tmp_path):
    p1(setup, 3)
    out = StringIO()
    call_command("build_report", "weekly", "--date", date.today().isoformat(), "--out",
                 str(tmp_path), stdout=out)
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"report.html", "kpis.csv", "volume_trend.png", "sla_by_priority.png",
                     "top_categories.png", "anomalies_timeline.png"}
    html = (tmp_path / "report.html").read_text()
    assert "客服周报" in html and "核心指标" in html and "data:image/png;base64," in html
    for png in tmp_path.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    csv_text = (tmp_path / "kpis.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[1].startswith("overall,,全部,3")
    report = Report.objects.get()
    assert report.kind == "weekly" and report.summary["volume"] == 3


def test_stored_reports_are_listed_and_served_to_supervisors(setup, tmp_path):
    from rest_framework.test import APIClient

    call_command("build_report", "daily", "--out", str(tmp_path), stdout=StringIO())
    client = APIClient()
    client.force_authenticate(setup.supervisor)
    (row,) = client.get("/api/analytics/reports/").json()
    page = client.get(row["url"])
    assert page.status_code == 200 and "客服日报" in b"".join(page.streaming_content).decode()
    assert client.get(f"/api/analytics/reports/{row['id']}/files/..%2Fetc").status_code == 404
    client.force_authenticate(setup.agent)
    assert client.get(row["url"]).status_code == 403


def test_support_suggestion_lists_nearby_stations_with_room(detect, setup, stalled, now):
    pytest.importorskip("stations.selectors")
    from analytics.models import HubLocation, Incident
    from stations.models import Station

    HubLocation.objects.create(name="杭州转运中心", latitude=30.2741, longitude=120.2198)
    Station.objects.create(code="HZ-1", name="杭州西湖网点", latitude=30.28, longitude=120.13,
                           capacity=10)
    Station.objects.create(code="HZ-FULL", name="满载网点", latitude=30.27, longitude=120.20,
                           capacity=0)
    Station.objects.create(code="SH-1", name="上海网点", latitude=31.23, longitude=121.47,
                           capacity=10)
    stalled(60, phones=False)
    detect(now)
    incident = Incident.objects.get()
    assert [s["code"] for s in incident.support] == ["HZ-1"]
    assert incident.support[0]["distance_km"] < 30
    assert incident.ticket.context["incident"]["support"][0]["name"] == "杭州西湖网点"


def test_beat_schedule_has_the_analytics_tasks(settings):
    from config.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    for name in ("analytics.detect_anomalies", "analytics.check_backlog_alerts",
                 "analytics.daily_report", "analytics.weekly_report"):
        assert schedule[name]["task"] in app.tasks or schedule[name]["task"].startswith(
            "analytics.")
    assert schedule["analytics.weekly_report"]["args"] == ["weekly"]


def test_seed_demo_shows_an_incident_with_children_and_a_report(settings):
    from analytics.models import Incident

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    incident = Incident.objects.get(key="杭州转运中心|sf")
    assert incident.shipments_count >= 100 and incident.ticket.category.code == "batch_incident"
    children = set(incident.ticket.children.values_list("waybill_rows__number", flat=True))
    assert "SF1409821733526" in children  # the demo ticket about a storm parcel
    assert incident.support  # nearby demo stations with room
    report = Report.objects.get()
    assert "report.html" in report.files
    call_command("seed_demo", stdout=StringIO())  # idempotent
    assert Incident.objects.count() == 1 and Report.objects.count() == 1
