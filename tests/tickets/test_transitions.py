"""Every transition, allowed and forbidden, by state and by role, through the actions."""

import pytest

from config.errors import DomainError, Forbidden, NotFound
from tests.factories import ticket_in
from tickets import actions
from tickets.choices import EventKind, Status

STATES = ["received", "assigned", "processing", "review", "closed"]
SOURCES = {
    "assign": {"received"},
    "release": {"assigned", "processing"},
    "transfer": {"assigned", "processing"},
    "start": {"assigned"},
    "submit_review": {"processing"},
    "approve": {"review"},
    "reject": {"review"},
    "reopen": {"closed"},
}
TARGET = {"assign": "assigned", "release": "received", "transfer": "assigned",
          "start": "processing", "submit_review": "review", "approve": "closed",
          "reject": "processing", "reopen": "processing"}


def call(setup, name, user, ticket):
    kwargs = {"user": user, "ticket_id": ticket.pk}
    if name == "assign":
        kwargs["assignee_id"] = setup.agent.pk
    elif name == "transfer":
        kwargs.update(assignee_id=setup.agent2.pk, reason="客户要求换人")
    elif name in ("reject", "reopen", "release"):
        kwargs["reason"] = "理由"
    elif name == "submit_review":
        kwargs["note"] = "已处理"
    return actions.TRANSITION_ACTIONS[name](**kwargs)


def allowed_user(setup, name):
    return {"assign": setup.supervisor, "approve": setup.reviewer, "reject": setup.reviewer,
            "reopen": setup.supervisor}.get(name, setup.agent)


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", list(SOURCES))
def test_transition_by_state(setup, name, state):
    ticket = ticket_in(setup, state)
    user = allowed_user(setup, name)
    if state in SOURCES[name]:
        result = call(setup, name, user, ticket)
        result.refresh_from_db()
        assert result.status == TARGET[name]
        event = result.events.filter(kind=EventKind.TRANSITION).last()
        assert (event.from_status, event.to_status, event.actor) == (state, TARGET[name], user)
        assert event.data["transition"] == name
    else:
        with pytest.raises(DomainError) as raised:
            call(setup, name, user, ticket)
        assert raised.value.status_code == 409
        assert raised.value.code == "transition_not_allowed"
        ticket.refresh_from_db()
        assert ticket.status == state


FORBIDDEN = [  # (transition, state, who)
    ("assign", "received", "agent"), ("assign", "received", "reviewer"),
    ("release", "assigned", "agent2"), ("release", "processing", "reviewer"),
    ("transfer", "assigned", "agent2"), ("start", "assigned", "supervisor"),
    ("start", "assigned", "agent2"), ("submit_review", "processing", "agent2"),
    ("submit_review", "processing", "supervisor"), ("approve", "review", "agent"),
    ("approve", "review", "supervisor"), ("reject", "review", "agent"),
    ("reopen", "closed", "agent"), ("reopen", "closed", "reviewer"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state", "who"), FORBIDDEN)
def test_transition_forbidden_for_role(setup, name, state, who):
    ticket = ticket_in(setup, state)
    with pytest.raises(Forbidden):
        call(setup, name, getattr(setup, who), ticket)
    ticket.refresh_from_db()
    assert ticket.status == state


@pytest.mark.django_db
def test_supervisor_may_release_and_transfer_any_ticket(setup):
    ticket = ticket_in(setup, "processing")
    actions.check_transfer_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                  assignee_id=setup.agent2.pk, reason="负载均衡")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner) == (Status.ASSIGNED, setup.agent2)
    assignment = ticket.events.filter(kind=EventKind.ASSIGNMENT).last()
    assert assignment.data == {"from_owner": setup.agent.pk, "to_owner": setup.agent2.pk}
    assert assignment.note == "负载均衡"


@pytest.mark.django_db
def test_transfer_to_a_queue_returns_the_ticket_to_received_there(setup):
    ticket = ticket_in(setup, "assigned")
    actions.check_transfer_ticket(user=setup.agent, ticket_id=ticket.pk,
                                  queue_id=setup.other_queue.pk, reason="属于费用争议")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner, ticket.queue) == (Status.RECEIVED, None,
                                                           setup.other_queue)
    event = ticket.events.filter(kind=EventKind.TRANSITION).last()
    assert event.data["to_queue"] == setup.other_queue.pk
    assert ticket.context == {}  # context kept as it was


@pytest.mark.django_db
def test_agent_outside_the_queue_gets_not_found(setup):
    ticket = ticket_in(setup, "assigned")
    with pytest.raises(NotFound):
        actions.check_start_ticket(user=setup.outsider, ticket_id=ticket.pk)


@pytest.mark.django_db
def test_reviewer_cannot_approve_own_resolution(setup):
    from tests.factories import UserFactory

    both = UserFactory(username="agent_reviewer", roles=["agent", "reviewer"])
    setup.queue.members.add(both)
    ticket = ticket_in(setup, "received")
    actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk, assignee_id=both.pk)
    actions.check_start_ticket(user=both, ticket_id=ticket.pk)
    actions.check_submit_review(user=both, ticket_id=ticket.pk, note="完成")
    with pytest.raises(Forbidden):
        actions.check_approve_review(user=both, ticket_id=ticket.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "field"), [("submit_review", "note"), ("reject", "reason"),
                                             ("reopen", "reason"), ("transfer", "reason")])
def test_transitions_that_need_a_text_refuse_an_empty_one(setup, name, field):
    state = {"submit_review": "processing", "reject": "review", "reopen": "closed",
             "transfer": "assigned"}[name]
    ticket = ticket_in(setup, state)
    kwargs = {"user": allowed_user(setup, name), "ticket_id": ticket.pk, field: "  "}
    if name == "transfer":
        kwargs["assignee_id"] = setup.agent2.pk
    with pytest.raises(DomainError) as raised:
        actions.TRANSITION_ACTIONS[name](**kwargs)
    assert raised.value.code == "missing_fields"


@pytest.mark.django_db
def test_assign_requires_an_active_agent(setup):
    ticket = ticket_in(setup, "received")
    with pytest.raises(DomainError) as raised:
        actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                    assignee_id=setup.reviewer.pk)
    assert raised.value.code == "invalid_assignee"


@pytest.mark.django_db
def test_start_sets_first_response_once(setup):
    ticket = ticket_in(setup, "processing")
    first = ticket.first_responded_at
    assert first is not None
    actions.check_release_ticket(user=setup.agent, ticket_id=ticket.pk, reason="下班")
    actions.check_assign_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                assignee_id=setup.agent.pk)
    actions.check_start_ticket(user=setup.agent, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert ticket.first_responded_at == first


@pytest.mark.django_db
def test_reopen_escalates_raises_priority_and_restarts_clocks(
        setup, outbox, django_capture_on_commit_callbacks):
    ticket = ticket_in(setup, "closed", category="fee_dispute")
    assert ticket.priority == "P2"
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_reopen_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                    reason="客户二次投诉")
    ticket.refresh_from_db()
    assert ticket.status == Status.PROCESSING
    assert (ticket.priority, ticket.escalated, ticket.reopen_count) == ("P1", True, 1)
    assert ticket.closed_at is None and ticket.resolved_at is None
    reopened_at = ticket.events.filter(kind=EventKind.TRANSITION).last().created_at
    assert (ticket.resolve_due - reopened_at).total_seconds() == pytest.approx(120 * 60, abs=2)
    assert ticket.events.filter(kind=EventKind.ESCALATION, data__reason="reopened").exists()
    assert [(m["channel"], m["recipient"]) for m in outbox if "二次投诉" in m["body"]] == [
        ("wecom", "supervisor01")]
