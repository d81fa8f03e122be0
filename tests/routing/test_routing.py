"""Assignment on creation, the decision trace, waiting and draining, transfer, reopen,
escalation — through the real actions, with after-commit effects run."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from routing import actions
from routing.choices import AgentStatus, EscalationPolicy
from routing.models import AgentProfile, RoutingAlert, RoutingDecision
from tests.factories import make_ticket, ticket_in
from tests.routing.conftest import agent, rule, skill
from tickets import actions as ticket_actions
from tickets.choices import EventKind
from tickets.models import Ticket


def fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


@pytest.mark.django_db
def test_users_without_an_online_profile_are_never_routed_to(setup, commit):
    with commit():
        ticket = make_ticket(setup)
    assert fresh(ticket).status == "received" and fresh(ticket).owner is None
    assert not RoutingDecision.objects.exists()  # nobody to consider, no rule: no trace


@pytest.mark.django_db
def test_created_ticket_goes_at_once_to_the_best_agent_with_a_trace(setup, commit):
    lost = skill("lost", match="lost_parcel")
    expert = agent("expert", queues=[setup.queue], skills={lost: 5})
    agent("novice", queues=[setup.queue], skills={lost: 2})
    agent("away", queues=[setup.queue], skills={lost: 5}, status=AgentStatus.AWAY)
    agent("elsewhere", queues=[setup.other_queue], skills={lost: 5})
    with commit():
        ticket = make_ticket(setup)
    ticket = fresh(ticket)
    assert (ticket.status, ticket.owner) == ("assigned", expert)
    decision = ticket.routing_decisions.get()
    assert (decision.winner, decision.queue, decision.strategy, decision.trigger) == (
        expert, setup.queue, "skills_and_load", "created")
    assert [c["username"] for c in decision.candidates] == ["expert", "novice"]
    top, second = decision.candidates
    assert top["score"] > second["score"] and top["skills"] == {"lost": 5}
    assert {"proficiency", "performance", "load", "capacity", "eligible"} <= set(top)
    event = ticket.events.get(kind=EventKind.TRANSITION, to_status="assigned")
    assert event.actor.username == "system" and event.data["routing"] is True


@pytest.mark.django_db
def test_required_skills_filter_candidates(setup, commit):
    english = skill("english", kind="special", match="english")
    rule("english", order=1, keywords=["english"], required=[english])
    agent("mono", queues=[setup.queue])
    speaker = agent("speaker", queues=[setup.queue], skills={english: 3})
    with commit():
        ticket = make_ticket(setup, description="Customer writes in English")
    assert fresh(ticket).owner == speaker
    assert [c["username"] for c in fresh(ticket).routing_decisions.get().candidates] == [
        "speaker"]


@pytest.mark.django_db
def test_capacity_is_respected_and_ties_break_by_user_id(setup, commit):
    first = agent("a1", queues=[setup.queue], capacity=1)
    second = agent("a2", queues=[setup.queue], capacity=1)
    with commit():
        tickets = [make_ticket(setup, customer_phone=f"1380013800{i}") for i in range(3)]
    owners = [fresh(t).owner for t in tickets]
    assert owners == [first, second, None]
    assert "工单在队列中等待" in fresh(tickets[2]).routing_decisions.get().reason


@pytest.mark.django_db
def test_waiting_tickets_drain_best_first_when_an_agent_comes_online(setup, commit, api_as):
    late = agent("late", queues=[setup.queue], status=AgentStatus.OFFLINE, capacity=2)
    with commit():
        low = make_ticket(setup, category="other", customer_phone="13800138001")  # P3
        urgent = make_ticket(setup, category="lost_parcel", customer_phone="13800138002")
        normal = make_ticket(setup, category="fee_dispute", customer_phone="13800138003")
    assert {fresh(t).status for t in (low, urgent, normal)} == {"received"}
    with commit():
        response = api_as(late).post("/api/routing/me/status/", {"status": "online"},
                                     format="json")
    assert response.status_code == 200 and response.json()["status"] == "online"
    assert (fresh(urgent).owner, fresh(normal).owner, fresh(low).owner) == (late, late, None)
    assert fresh(urgent).routing_decisions.first().trigger == "drain"
    assert AgentProfile.objects.get(user=late).last_online_at is not None


@pytest.mark.django_db
def test_freed_capacity_drains_the_queue(setup, commit):
    busy = agent("busy", queues=[setup.queue], capacity=1)
    with commit():
        first = make_ticket(setup, customer_phone="13800138001")
        waiting = make_ticket(setup, customer_phone="13800138002")
    assert (fresh(first).owner, fresh(waiting).status) == (busy, "received")
    with commit():
        ticket_actions.check_start_ticket(user=busy, ticket_id=first.pk)
        ticket_actions.check_submit_review(user=busy, ticket_id=first.pk, note="已处理")
    assert (fresh(waiting).status, fresh(waiting).owner) == ("assigned", busy)


@pytest.mark.django_db
def test_release_routes_to_someone_else_and_drains_nothing_back(setup, commit):
    one = agent("one", queues=[setup.queue])
    two = agent("two", queues=[setup.queue])
    with commit():
        ticket = make_ticket(setup)
    assert fresh(ticket).owner == one
    with commit():
        ticket_actions.check_release_ticket(user=one, ticket_id=ticket.pk, reason="下班")
    assert (fresh(ticket).status, fresh(ticket).owner) == ("assigned", two)
    assert fresh(ticket).routing_decisions.first().trigger == "release"


@pytest.mark.django_db
def test_transfer_to_a_queue_routes_there_with_context_kept(setup, commit):
    here = agent("here", queues=[setup.queue])
    there = agent("there", queues=[setup.other_queue])
    with commit():
        ticket = make_ticket(setup, context={"handoff": "客户已提供照片"})
    assert fresh(ticket).owner == here
    with commit():
        ticket_actions.check_transfer_ticket(user=here, ticket_id=ticket.pk, reason="费用问题",
                                             queue_id=setup.other_queue.pk)
    ticket = fresh(ticket)
    assert (ticket.queue, ticket.owner, ticket.status) == (setup.other_queue, there,
                                                           "assigned")
    assert ticket.context == {"handoff": "客户已提供照片"}
    assert ticket.routing_decisions.first().trigger == "transfer"


@pytest.mark.django_db
def test_reopen_moves_to_expert_queue_and_transfers_to_a_better_expert(
        setup, commit, expert_queue):
    lost = skill("lost", match="lost_parcel")
    star = agent("star", queues=[expert_queue], skills={lost: 5})
    ticket = ticket_in(setup, "closed")  # owned by setup.agent, who has no profile
    with commit():
        ticket_actions.check_reopen_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                           reason="二次投诉")
    ticket = fresh(ticket)
    assert (ticket.queue, ticket.owner, ticket.status) == (expert_queue, star, "assigned")
    decision = ticket.routing_decisions.get()
    assert decision.trigger == "reopen" and decision.winner == star
    assert ticket.events.filter(kind=EventKind.TRANSITION,
                                data__transition="transfer").exists()


@pytest.mark.django_db
def test_reopen_keeps_the_owner_when_no_better_expert_is_free(setup, commit, expert_queue):
    ticket = ticket_in(setup, "closed")
    agent("full", queues=[expert_queue], capacity=0)
    with commit():
        ticket_actions.check_reopen_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                           reason="二次投诉")
    ticket = fresh(ticket)
    assert (ticket.queue, ticket.owner, ticket.status) == (expert_queue, setup.agent,
                                                           "processing")
    assert "由原处理人继续处理" in ticket.routing_decisions.get().reason


@pytest.mark.django_db
def test_waiting_past_threshold_alerts_supervisors_once(setup, commit, outbox):
    setup.queue.wait_alert_minutes = 10
    setup.queue.save()
    with commit():
        ticket = make_ticket(setup)
    later = timezone.now() + timedelta(minutes=11)
    with commit():
        assert actions.do_alert_waiting_tickets(now=later) == 1
        assert actions.do_alert_waiting_tickets(now=later) == 0
    assert RoutingAlert.objects.filter(ticket=ticket, kind="wait").count() == 1
    assert ticket.events.filter(kind=EventKind.ESCALATION, data__reason="queue_wait").exists()
    assert [m for m in outbox if m["payload"].get("reason") == "routing_wait"]


def _breach(ticket):
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        ticket_actions.record_sla_breaches()
        return actions.do_escalate_response_breaches()


@pytest.mark.django_db
def test_response_breach_reassigns_per_queue_policy(setup, commit):
    setup.queue.escalation_policy = EscalationPolicy.REASSIGN
    setup.queue.save()
    slow = agent("slow", queues=[setup.queue])
    with commit():
        ticket = make_ticket(setup)
    assert fresh(ticket).owner == slow
    fast = agent("fast", queues=[setup.queue])
    with commit():
        assert _breach(ticket) == 1
        assert actions.do_escalate_response_breaches() == 0  # once
    ticket = fresh(ticket)
    assert (ticket.owner, ticket.status) == (fast, "assigned")
    event = ticket.events.filter(kind=EventKind.ESCALATION, data__policy="reassign").get()
    assert (event.data["to"], event.data["from_owner"], event.data["to_owner"]) == (
        "agent", slow.pk, fast.pk)
    assert ticket.routing_decisions.first().trigger == "breach"


@pytest.mark.django_db
def test_response_breach_goes_to_the_supervisor_per_queue_policy(setup, commit, outbox):
    owner = agent("owner", queues=[setup.queue])
    agent("other", queues=[setup.queue])
    with commit():
        ticket = make_ticket(setup)
    with commit():
        assert _breach(ticket) == 1
    ticket = fresh(ticket)
    assert ticket.owner == owner
    event = ticket.events.filter(kind=EventKind.ESCALATION,
                                 data__policy="supervisor").get()
    assert event.data["to"] == "supervisor"
    assert RoutingAlert.objects.get(ticket=ticket).action == "supervisor"


@pytest.mark.django_db
def test_performance_is_learned_and_changes_the_winner(setup, commit):
    lost = skill("lost", match="lost_parcel")
    good = agent("good", queues=[setup.queue], skills={lost: 3})
    poor = agent("poor", queues=[setup.queue], skills={lost: 3})
    category = setup.categories["lost_parcel"]
    now = timezone.now()
    # good: 6 quick, never reopened, CSAT 5; poor: 6 slow, half reopened, CSAT 1.
    for i in range(12):
        who, fast = (good, True) if i % 2 == 0 else (poor, False)
        t = Ticket.objects.create(
            number=f"TKP{i:04d}", title="x", category=category, owner=who, status="closed",
            created_at=now - timedelta(days=2), resolved_at=now - timedelta(
                days=2) + timedelta(minutes=30 if fast else 600), closed_at=now,
            reopen_count=0 if fast or i % 4 == 1 else 1, queue=setup.queue)
        t.surveys.create(score=5 if fast else 1)
    assert actions.do_refresh_performance() == 2
    from routing.models import AgentPerformance

    perf = {p.user: p for p in AgentPerformance.objects.all()}
    assert perf[good].score > 0.5 > perf[poor].score
    assert perf[good].resolution_rate == 1 and perf[poor].csat == 1
    with commit():
        ticket = make_ticket(setup)
    decision = fresh(ticket).routing_decisions.get()
    assert decision.winner == good
    assert decision.candidates[0]["performance"] == pytest.approx(perf[good].score, abs=1e-3)


@pytest.mark.django_db
def test_manual_assign_still_works_for_agents_without_profiles(setup, commit):
    with commit():
        ticket = make_ticket(setup)
        ticket_actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                           assignee_id=setup.agent.pk)
    assert fresh(ticket).owner == setup.agent


@pytest.mark.django_db
def test_drain_skips_tickets_needing_a_skill_the_agent_lacks(setup, commit):
    english = skill("english", kind="special", match="english")
    rule("english", order=1, keywords=["english"], required=[english])
    plain = agent("plain", queues=[setup.queue], status=AgentStatus.OFFLINE)
    with commit():
        needs = make_ticket(setup, category="lost_parcel", description="English please",
                            customer_phone="13800138001")
        easy = make_ticket(setup, category="other", customer_phone="13800138002")
    with commit():
        actions.check_set_agent_status(user=plain, status=AgentStatus.ONLINE)
    assert (fresh(needs).status, fresh(easy).owner) == ("received", plain)


@pytest.mark.django_db
def test_beat_drain_is_a_safety_net(setup, commit):
    with commit():
        ticket = make_ticket(setup)
    # Came online without the after-commit drain (e.g. a worker crashed): beat catches up.
    late = agent("late", queues=[setup.queue])
    with commit():
        assert actions.do_drain_queues() == 1
    assert fresh(ticket).owner == late


@pytest.mark.django_db
def test_round_robin_queue_alternates(setup, commit):
    setup.queue.strategy = "round_robin"
    setup.queue.save()
    first = agent("rr1", queues=[setup.queue], capacity=5)
    second = agent("rr2", queues=[setup.queue], capacity=5)
    tickets = []
    for i in range(4):
        with commit():
            tickets.append(make_ticket(setup, customer_phone=f"1380013800{i}"))
    assert [fresh(t).owner for t in tickets] == [first, second, first, second]


@pytest.mark.django_db
def test_a_grid_edit_applies_to_the_next_decision(setup, commit):
    lost = skill("lost", match="lost_parcel")
    a = agent("a", queues=[setup.queue], skills={lost: 1})
    b = agent("b", queues=[setup.queue], skills={lost: 2})
    with commit():
        first = make_ticket(setup, customer_phone="13800138001")
    assert fresh(first).owner == b
    actions.do_save_skill_matrix({(a.agent_profile.pk, lost.pk): 5,
                                  (b.agent_profile.pk, lost.pk): 0}, acting_user=None)
    with commit():
        second = make_ticket(setup, customer_phone="13800138002")
    assert fresh(second).owner == a


@pytest.mark.django_db
def test_roster_survives_status_saves_but_not_card_edits(setup, django_assert_num_queries):
    """The per-process roster reloads (3 queries) after a card edit, not after a status or
    last-assigned save, which every drain and status change makes."""
    from routing import roster

    user = agent("steady", queues=[setup.queue], regions=["上海"])
    profile = AgentProfile.objects.get(user=user)
    roster.card(user.pk)
    profile.last_assigned_at = timezone.now()
    profile.save(update_fields=["last_assigned_at"])
    profile.status = AgentStatus.AWAY
    profile.save(update_fields=["status"])
    with django_assert_num_queries(0):
        assert roster.card(user.pk).regions == ("上海",)
    profile.regions = ["杭州"]
    profile.save(update_fields=["regions"])
    with django_assert_num_queries(3):
        assert roster.card(user.pk).regions == ("杭州",)
