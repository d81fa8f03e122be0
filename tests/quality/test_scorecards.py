"""Review scorecards: the reviewer's scores at approve/reject, feeding routing."""

import pytest

from config.errors import DomainError
from routing.models import AgentPerformance
from tests.factories import ticket_in
from tests.quality.conftest import api
from tickets import actions
from tickets.choices import EventKind, Status
from tickets.models import ReviewScorecard

GOOD = {"accuracy": 5, "attitude": 5, "process": 4, "timeliness": 5}
POOR = {"accuracy": 2, "attitude": 4, "process": 1, "timeliness": 3}


def performance(agent, category):
    row = AgentPerformance.objects.filter(user=agent, category=category).first()
    return row.score if row else None


@pytest.mark.django_db
def test_approve_with_a_scorecard_through_the_api(setup):
    ticket = ticket_in(setup, "review")
    response = api(setup.reviewer).post(f"/api/tickets/{ticket.pk}/quality/", {
        "verdict": "approved", "scores": GOOD, "comment": "处理规范"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    card = ReviewScorecard.objects.get(ticket=ticket)
    assert (card.agent, card.reviewer, card.verdict, card.total) == (
        setup.agent, setup.reviewer, "approved", 4.75)
    assert card.failed_items == []
    event = ticket.events.filter(kind=EventKind.TRANSITION, to_status=Status.CLOSED).last()
    assert event.actor == setup.reviewer and event.note == "处理规范"
    assert event.data["scorecard"]["total"] == 4.75
    shown = api(setup.reviewer).get(f"/api/tickets/{ticket.pk}/quality/").json()
    assert shown["scorecards"][0]["reviewer"] == "reviewer01"


@pytest.mark.django_db
def test_a_rejection_carries_the_failed_items(setup):
    ticket = ticket_in(setup, "review")
    with pytest.raises(DomainError) as raised:  # no comment, nothing failed
        actions.check_review_ticket(user=setup.reviewer, ticket_id=ticket.pk,
                                    verdict="rejected", scores=GOOD)
    assert raised.value.extra["fields"] == ["comment", "failed_items"]
    actions.check_review_ticket(user=setup.reviewer, ticket_id=ticket.pk, verdict="rejected",
                                scores=POOR, comment="未核实网点反馈", failed_items=["timeliness"])
    ticket.refresh_from_db()
    assert ticket.status == Status.PROCESSING
    card = ReviewScorecard.objects.get(ticket=ticket)
    # Named items, and every item scored below the pass mark (3), in scorecard order.
    assert card.failed_items == ["accuracy", "process", "timeliness"]
    event = ticket.events.filter(kind=EventKind.TRANSITION, to_status=Status.PROCESSING).last()
    assert event.data["transition"] == "reject"
    assert event.data["scorecard"]["failed_items"] == ["accuracy", "process", "timeliness"]


@pytest.mark.django_db
def test_scores_are_checked(setup):
    ticket = ticket_in(setup, "review")
    client = api(setup.reviewer)
    partial = client.post(f"/api/tickets/{ticket.pk}/quality/", {
        "verdict": "approved", "scores": {"accuracy": 5}}, format="json")
    assert (partial.status_code, partial.json()["code"]) == (400, "missing_fields")
    assert partial.json()["fields"] == ["scores.attitude", "scores.process",
                                        "scores.timeliness"]
    wrong = client.post(f"/api/tickets/{ticket.pk}/quality/", {
        "verdict": "approved", "scores": {**GOOD, "accuracy": 9}}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "invalid")
    own = api(setup.agent).post(f"/api/tickets/{ticket.pk}/quality/", {
        "verdict": "approved", "scores": GOOD}, format="json")
    assert own.status_code == 403  # nobody reviews their own resolution
    assert not ReviewScorecard.objects.exists()


@pytest.mark.django_db
def test_scorecards_feed_the_performance_routing_learns(setup, django_capture_on_commit_callbacks):
    category = setup.categories["lost_parcel"]
    good = ticket_in(setup, "review")
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_review_ticket(user=setup.reviewer, ticket_id=good.pk,
                                    verdict="approved", scores=GOOD)
    after_good = performance(setup.agent, category)
    # Routing relearned this agent and category at once (not waiting for the hourly task).
    assert after_good is not None
    poor = ticket_in(setup, "review")
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_review_ticket(user=setup.reviewer, ticket_id=poor.pk,
                                    verdict="rejected", scores=POOR, comment="处理不当")
    after_poor = performance(setup.agent, category)
    assert after_poor < after_good


@pytest.mark.django_db
def test_quality_moves_the_routing_score_both_ways(setup, settings):
    from routing.actions import do_refresh_performance

    category = setup.categories["lost_parcel"]
    for _ in range(3):
        ticket_in(setup, "closed")
    ticket = ticket_in(setup, "review")
    actions.check_review_ticket(user=setup.reviewer, ticket_id=ticket.pk, verdict="approved",
                                scores={k: 5 for k in GOOD})
    settings.ROUTING_QUALITY_WEIGHT = 0  # the same closed tickets, scorecards ignored
    do_refresh_performance()
    plain = performance(setup.agent, category)
    settings.ROUTING_QUALITY_WEIGHT = 0.25
    do_refresh_performance()
    praised = performance(setup.agent, category)
    ReviewScorecard.objects.update(accuracy=1, attitude=1, process=1, timeliness=1)
    do_refresh_performance()
    blamed = performance(setup.agent, category)
    assert blamed < plain < praised
