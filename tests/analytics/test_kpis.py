"""KPI definitions on a hand-computed fixture, through the API."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from tickets import actions

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
START, END = datetime(2026, 11, 2, tzinfo=SH), datetime(2026, 11, 9, tzinfo=SH)


def at(day, hour, minute=0):
    return time_machine.travel(datetime(2026, 11, day, hour, minute, tzinfo=SH), tick=False)


@pytest.fixture
def fixture(setup):
    """A: P1 urge, responded 10 min, resolved 70 min, closed, CSAT 5.
    B: P2 fee dispute, released once then reassigned, responded 60 min (due 30), resolved at
       exactly 240 min (due 240), closed, survey unanswered.
    C: P3 other, responded 30 min, resolved and closed, then reopened (二次投诉).
    D: P1 urge, never touched (both SLAs breached).  E: outside the period."""
    s = setup
    sup, rev, a1, a2 = s.supervisor, s.reviewer, s.agent, s.agent2

    def ticket(code, phone, title="t"):
        return actions.check_create_ticket(user=sup, title=title, category_code=code,
                                           customer_phone=phone, region="浙江省杭州市西湖区")

    def run(day, hour, minute, name, user, tid, **kw):
        with at(day, hour, minute):
            actions.TRANSITION_ACTIONS[name](user=user, ticket_id=tid, **kw)

    with at(3, 9):
        a = ticket("urge_delivery", "13800000001")
    run(3, 9, 5, "assign", sup, a.pk, assignee_id=a1.pk)
    run(3, 9, 10, "start", a1, a.pk)
    run(3, 10, 10, "submit_review", a1, a.pk, note="done")
    run(3, 10, 20, "approve", rev, a.pk)
    a_customer = a.customer
    with at(3, 11):
        actions.check_answer_csat(user=actions.ensure_customer_user(a_customer.phone).user,
                                  ticket_id=a.pk, score=5)

    with at(3, 10):
        b = ticket("fee_dispute", "13800000002")
    run(3, 10, 5, "assign", sup, b.pk, assignee_id=a1.pk)
    run(3, 10, 6, "release", a1, b.pk, reason="不熟悉")
    run(3, 10, 10, "assign", sup, b.pk, assignee_id=a2.pk)
    run(3, 11, 0, "start", a2, b.pk)
    run(3, 14, 0, "submit_review", a2, b.pk, note="done")
    run(3, 14, 30, "approve", rev, b.pk)

    with at(4, 9):
        c = ticket("other", "13800000003")
    run(4, 9, 10, "assign", sup, c.pk, assignee_id=a1.pk)
    run(4, 9, 30, "start", a1, c.pk)
    run(4, 10, 0, "submit_review", a1, c.pk, note="done")
    run(4, 10, 5, "approve", rev, c.pk)
    run(4, 11, 0, "reopen", sup, c.pk, reason="客户二次投诉")

    with at(5, 9):
        ticket("urge_delivery", "13800000004")
    with at(10, 9):
        ticket("urge_delivery", "13800000005")

    from chatbot.models import Conversation

    with at(3, 8):
        Conversation.objects.create(customer=a_customer, ticket=a, status="handoff")
        Conversation.objects.create(customer=a_customer, status="handoff")
        Conversation.objects.create(customer=a_customer, status="closed")
    return s


def get(user, **params):
    client = APIClient()
    client.force_authenticate(user)
    return client.get("/api/analytics/kpis/", {"from": START.isoformat(),
                                               "to": END.isoformat(), **params})


def test_overall_kpis_match_the_hand_computed_figures(fixture):
    with at(20, 9):
        response = get(fixture.supervisor)
    assert response.status_code == 200, response.json()
    o = response.json()["overall"]
    assert (o["volume"], o["closed"], o["resolution_rate"]) == (4, 2, 0.5)
    assert o["first_response_minutes"] == round((10 + 60 + 30) / 3, 1)
    assert o["handling_minutes"] == (70 + 240) / 2  # C's resolution was undone by the reopen
    assert (o["response_sla"], o["resolution_sla"]) == (0.5, 0.5)
    assert o["reopen_rate"] == round(1 / 3, 4)
    assert o["routing_acceptance"] == round(2 / 3, 4)  # B was released by its first owner
    assert (o["csat_average"], o["csat_response_rate"]) == (5.0, round(1 / 3, 4))
    assert (o["chat_sessions"], o["bot_self_service_rate"], o["handoff_rate"]) == (
        3, round(1 / 3, 4), round(2 / 3, 4))


def test_grouped_kpis_and_root_causes(fixture):
    with at(20, 9):
        body = get(fixture.supervisor, group_by="category").json()
    groups = {g["key"]: g for g in body["groups"]}
    assert set(groups) == {"urge_delivery", "fee_dispute", "other"}
    urge = groups["urge_delivery"]
    assert (urge["volume"], urge["closed"], urge["response_sla"]) == (2, 1, 0.5)
    assert groups["fee_dispute"]["response_sla"] == 0.0
    assert groups["fee_dispute"]["resolution_sla"] == 1.0
    causes = {r["category"]: r for r in body["root_causes"]}
    assert causes["fee_dispute"]["vs_median_pct"] == round((240 / 155 - 1) * 100, 1)
    assert body["root_causes"][0]["category"] == "fee_dispute"

    with at(20, 9):
        by_region = get(fixture.supervisor, group_by="region").json()["groups"]
        by_agent = get(fixture.supervisor, group_by="agent").json()["groups"]
    assert [(g["key"], g["volume"]) for g in by_region] == [("浙江", 4)]
    assert {g["key"]: g["volume"] for g in by_agent} == {"agent01": 2, "agent02": 1, None: 1}


def test_only_supervisors_and_ops_and_bad_input_is_400(fixture):
    assert get(fixture.agent).status_code == 403
    bad = get(fixture.supervisor, group_by="weather")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    client = APIClient()
    client.force_authenticate(fixture.supervisor)
    reversed_ = client.get("/api/analytics/kpis/", {"from": END.isoformat(),
                                                    "to": START.isoformat()})
    assert reversed_.status_code == 400


def test_the_schema_carries_the_definitions(setup):
    client = APIClient()
    schema = client.get("/api/schema/", {"format": "json"}).json()
    figures = schema["components"]["schemas"]["OverallFigures"]["properties"]
    assert "first response" in figures["first_response_minutes"]["description"] or \
        "首次响应" in figures["first_response_minutes"]["description"]
    assert "/api/analytics/kpis/" in schema["paths"]


def test_a_month_is_a_handful_of_queries(fixture, django_assert_max_num_queries):
    from analytics.kpis import compute_kpis

    with django_assert_max_num_queries(8):
        compute_kpis(user=fixture.supervisor, start=START, end=END + timedelta(days=21),
                     group_by="queue")


def test_the_period_defaults_to_the_last_30_days_and_takes_dates(fixture):
    client = APIClient()
    client.force_authenticate(fixture.supervisor)
    with at(20, 9):
        default = client.get("/api/analytics/kpis/")
        explicit = client.get("/api/analytics/kpis/", {
            "from": datetime(2026, 10, 21, 9, tzinfo=SH).isoformat(),
            "to": datetime(2026, 11, 20, 9, tzinfo=SH).isoformat()})
        dated = client.get("/api/analytics/kpis/", {"from": START.date().isoformat(),
                                                    "to": END.date().isoformat()})
    assert default.status_code == explicit.status_code == dated.status_code == 200
    assert default.json()["overall"] == explicit.json()["overall"]
    assert dated.json()["overall"]["volume"] == 4  # the fixture's week, by dates
    assert client.get("/api/analytics/kpis/", {"from": "2026-13-01"}).status_code == 400
