"""Supervisor and agent routing API, and the decision in the ticket detail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routing.choices import AgentStatus
from tests.factories import make_ticket
from tests.routing.conftest import agent, skill


@pytest.mark.django_db
def test_ticket_detail_shows_why_this_agent(setup, commit, api_as):
    lost = skill("lost", match="lost_parcel")
    winner = agent("winner", queues=[setup.queue], skills={lost: 4})
    agent("runner_up", queues=[setup.queue])
    with commit():
        ticket = make_ticket(setup)
    body = api_as(setup.supervisor).get(f"/api/tickets/{ticket.pk}/").json()
    routing = body["routing"]
    assert routing["winner"]["username"] == winner.username
    assert routing["strategy"] == "skills_and_load" and routing["queue"]["code"] == "general"
    assert [c["username"] for c in routing["candidates"]] == ["winner", "runner_up"]
    assert all("score" in c for c in routing["candidates"]) and routing["reason"]


@pytest.mark.django_db
def test_detail_without_decision_has_null_routing(setup, api_as):
    ticket = make_ticket(setup)
    assert api_as(setup.supervisor).get(f"/api/tickets/{ticket.pk}/").json()["routing"] is None


@pytest.mark.django_db
def test_queue_stats_in_one_query(setup, commit, api_as):
    agent("on", queues=[setup.queue], capacity=1)
    agent("off", queues=[setup.queue], status=AgentStatus.OFFLINE)
    with commit():
        for i in range(3):
            make_ticket(setup, customer_phone=f"1380013800{i}")
    client = api_as(setup.supervisor)
    client.get("/api/routing/queues/")  # warm the role cache
    with CaptureQueriesContext(connection) as captured:
        rows = client.get("/api/routing/queues/").json()
    assert len(captured) == 1, [q["sql"] for q in captured]
    general = next(r for r in rows if r["code"] == "general")
    assert (general["waiting"], general["online_agents"], general["breached"]) == (2, 1, 0)
    assert general["oldest_wait_minutes"] == 0 and general["oldest_waiting_since"]


@pytest.mark.django_db
def test_agents_states_and_loads(setup, commit, api_as):
    a = agent("a", queues=[setup.queue], capacity=2)
    agent("b", queues=[setup.queue, setup.other_queue], status=AgentStatus.AWAY)
    with commit():
        make_ticket(setup)
    client = api_as(setup.supervisor)
    client.get("/api/routing/agents/")
    with CaptureQueriesContext(connection) as captured:
        rows = client.get("/api/routing/agents/").json()
    assert len(captured) == 2
    by_name = {r["username"]: r for r in rows}
    assert (by_name["a"]["load"], by_name["a"]["capacity"], by_name["a"]["status"]) == (
        1, 2, "online")
    assert by_name["b"]["queues"] == ["fee_dispute_a", "general"]
    assert by_name["b"]["status"] == "away" and a.pk == by_name["a"]["user_id"]


@pytest.mark.django_db
def test_supervisor_endpoints_refuse_agents_and_status_refuses_non_agents(setup, api_as):
    assert api_as(setup.agent).get("/api/routing/queues/").status_code == 403
    assert api_as(setup.agent).get("/api/routing/agents/").status_code == 403
    response = api_as(setup.reviewer).post("/api/routing/me/status/", {"status": "online"},
                                           format="json")
    assert response.status_code == 403
    response = api_as(setup.agent).post("/api/routing/me/status/", {"status": "busy"},
                                        format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_status_changes_are_timestamped_and_pushed(setup, api_as,
                                                   django_capture_on_commit_callbacks):
    client = api_as(setup.agent)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        body = client.post("/api/routing/me/status/", {"status": "away"}, format="json").json()
    assert body["status"] == "away" and body["status_changed_at"]
    assert body["last_online_at"] is None
    assert len(callbacks) == 1  # the push; no drain when not coming online
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/api/routing/me/status/", {"status": "online"}, format="json")
    assert len(callbacks) == 2  # drain + push
