"""Sampling policies decide at submit_review: a reviewer, or the system's approve."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import CategoryFactory, make_ticket, ticket_in
from tickets import actions
from tickets.choices import EventKind, Status
from tickets.models import CsatSurvey, SamplingPolicy, Ticket
from tickets.quality import sampling
from tickets.roles import system_user


def submit(setup, **kwargs):
    ticket = ticket_in(setup, "processing", **kwargs)
    actions.check_submit_review(user=setup.agent, ticket_id=ticket.pk, note="已核实并处理完毕")
    ticket.refresh_from_db()
    return ticket


def sampling_of(ticket):
    event = ticket.events.filter(kind=EventKind.TRANSITION, to_status=Status.REVIEW).last()
    return event.data["sampling"]


@pytest.fixture
def veteran(setup):
    """setup.agent with 30 closed tickets: no longer a new agent."""
    for _ in range(30):
        Ticket.objects.filter(pk=ticket_in(setup, "processing").pk).update(
            status=Status.CLOSED)
    return setup.agent


@pytest.mark.django_db
def test_without_policies_everything_is_reviewed(setup):
    ticket = submit(setup)
    assert ticket.status == Status.REVIEW
    assert sampling_of(ticket)["reason"] == "no_policy"


@pytest.mark.django_db
def test_the_draw_is_deterministic_and_the_rate_holds():
    values = [sampling.draw(f"TK20261123{i:06d}", 1, 7) for i in range(4000)]
    assert values == [sampling.draw(f"TK20261123{i:06d}", 1, 7) for i in range(4000)]
    assert all(0 <= v < 1 for v in values)
    share = sum(v < 0.10 for v in values) / len(values)
    assert 0.085 < share < 0.115  # a 10% base rate samples about 10%
    assert sampling.draw("TK1", 1, 7) != sampling.draw("TK1", 2, 7)  # a new round, a new draw
    assert sampling.draw("TK1", 1, 7, salt="a") != sampling.draw("TK1", 1, 7, salt="b")


@pytest.mark.django_db
def test_base_rate_approves_the_unsampled_as_the_system_naming_the_policy(setup, veteran,
                                                                          outbox):
    policy = SamplingPolicy.objects.create(name="质检团队抽检（基础）", rate=10)
    reviewed = approved = 0
    for _ in range(12):
        ticket = submit(setup)
        expected = sampling.draw(ticket.number, 1, policy.pk) < 0.10
        decision = sampling_of(ticket)
        assert (decision["policy"], decision["rate"]) == ("质检团队抽检（基础）", 10)
        if expected:
            reviewed += 1
            assert ticket.status == Status.REVIEW
            continue
        approved += 1
        assert ticket.status == Status.CLOSED
        approve = ticket.events.filter(kind=EventKind.TRANSITION, to_status="closed").last()
        assert approve.actor == system_user() and approve.data["transition"] == "approve"
        assert approve.data["automatic"] is True
        assert approve.data["sampling_policy"] == "质检团队抽检（基础）"
        assert "质检团队抽检（基础）" in approve.note and "自动审核通过" in approve.note
        assert CsatSurvey.objects.filter(ticket=ticket).exists()  # the usual approve effects
    assert approved >= 8  # 12 draws at 10%: the odds of fewer than 8 approvals are < 1e-4


@pytest.mark.django_db
def test_new_agents_are_reviewed_at_100_percent(setup, veteran):
    SamplingPolicy.objects.create(name="基础", rate=0)
    SamplingPolicy.objects.create(name="新人全检", rate=100, new_agent_tickets=20, order=10)
    assert submit(setup).status == Status.CLOSED  # 30 closed tickets: not new
    newcomer = setup.agent2
    ticket = make_ticket(setup)
    actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                assignee_id=newcomer.pk)
    actions.check_start_ticket(user=newcomer, ticket_id=ticket.pk)
    actions.check_submit_review(user=newcomer, ticket_id=ticket.pk, note="已处理")
    ticket.refresh_from_db()
    assert ticket.status == Status.REVIEW
    assert sampling_of(ticket)["policy"] == "新人全检"


@pytest.mark.django_db
def test_joined_recently_counts_as_new(setup, veteran):
    SamplingPolicy.objects.create(name="基础", rate=0)
    SamplingPolicy.objects.create(name="新人30天", rate=100, new_agent_days=30)
    assert sampling_of(submit(setup))["policy"] == "新人30天"
    type(setup.agent).objects.filter(pk=setup.agent.pk).update(
        date_joined=timezone.now() - timedelta(days=90))
    assert submit(setup).status == Status.CLOSED


@pytest.mark.django_db
def test_category_priority_reopen_and_csat_conditions(setup, veteran, settings):
    settings.QUALITY_REVIEW_WHEN_NO_POLICY = False  # unmatched tickets are approved
    CategoryFactory(code="claim", default_priority="P2")
    SamplingPolicy.objects.create(name="理赔必检", rate=100, categories=["claim"])
    SamplingPolicy.objects.create(name="P0必检", rate=100, priorities=["P0"])
    assert submit(setup).status == Status.CLOSED  # lost_parcel P1: no policy matches
    assert sampling_of(submit(setup, category="claim"))["policy"] == "理赔必检"
    assert sampling_of(submit(setup, priority="P0"))["policy"] == "P0必检"
    SamplingPolicy.objects.create(name="二次投诉必检", rate=100, reopened=True, order=5)
    ticket = submit(setup)
    assert ticket.status == Status.CLOSED
    actions.check_reopen_ticket(user=setup.supervisor, ticket_id=ticket.pk, reason="二次投诉")
    actions.check_submit_review(user=setup.agent, ticket_id=ticket.pk, note="再次处理")
    ticket.refresh_from_db()
    assert ticket.status == Status.REVIEW
    assert sampling_of(ticket)["policy"] == "二次投诉必检"
    SamplingPolicy.objects.create(name="低满意度加抽", rate=100, agent_csat_below=3.5)
    assert submit(setup).status == Status.CLOSED  # no answered survey: no CSAT, no match
    survey = CsatSurvey.objects.filter(ticket__owner=setup.agent).first()
    CsatSurvey.objects.filter(pk=survey.pk).update(score=2, answered_at=timezone.now())
    assert sampling_of(submit(setup))["policy"] == "低满意度加抽"


@pytest.mark.django_db
def test_the_highest_matching_rate_decides(setup, veteran):
    SamplingPolicy.objects.create(name="基础", rate=0, order=100)
    SamplingPolicy.objects.create(name="P1加抽", rate=100, priorities=["P1"], order=50)
    assert sampling_of(submit(setup))["policy"] == "P1加抽"
    assert submit(setup, priority="P2").status == Status.CLOSED


@pytest.mark.django_db
def test_a_rejected_ticket_goes_back_to_a_reviewer(setup, veteran):
    SamplingPolicy.objects.create(name="基础", rate=0)
    ticket = submit(setup)
    assert ticket.status == Status.CLOSED
    SamplingPolicy.objects.filter(name="基础").update(rate=100)
    ticket = submit(setup)
    actions.check_reject_review(user=setup.reviewer, ticket_id=ticket.pk, reason="缺凭证")
    SamplingPolicy.objects.filter(name="基础").update(rate=0)
    actions.check_submit_review(user=setup.agent, ticket_id=ticket.pk, note="已补充凭证")
    ticket.refresh_from_db()
    assert ticket.status == Status.REVIEW and ticket.review_round == 2
    assert sampling_of(ticket)["reason"] == "resubmission"
