"""Merging duplicate tickets: one customer, one parcel, one number."""

import pytest

from config.errors import DomainError, Forbidden
from tests.factories import make_ticket
from tests.quality.conftest import api, png
from tickets import actions, selectors
from tickets.choices import EventKind, Status
from tickets.models import Notification, Ticket, TicketEvent


@pytest.fixture
def pair(setup):
    """Two tickets of one customer about one parcel; the first is being worked on."""
    survivor = make_ticket(setup, title="包裹丢失")
    duplicate = make_ticket(setup, title="快递丢了还没人管", priority="P0",
                            waybills=["SF1409821733526", "YT7512345678901"], tags=["vip"])
    actions.check_assign_ticket(user=setup.supervisor, ticket_id=survivor.pk,
                                assignee_id=setup.agent.pk)
    actions.check_add_comment(user=setup.supervisor, ticket_id=duplicate.pk,
                              body="客户第二次来电", visibility="internal")
    actions.check_add_attachment(user=setup.supervisor, ticket_id=duplicate.pk, upload=png())
    return survivor, duplicate


@pytest.mark.django_db
def test_merge_moves_the_thread_and_closes_the_duplicate_with_a_link(setup, pair, outbox):
    survivor, duplicate = pair
    events_before = list(duplicate.events.values_list("pk", flat=True))
    result = actions.check_merge_ticket(user=setup.agent, ticket_id=duplicate.pk,
                                        into_id=survivor.pk, reason="同一包裹重复报障")
    assert result.pk == survivor.pk
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (Status.CLOSED, survivor.pk)
    assert duplicate.closed_at is not None
    assert not duplicate.surveys.exists()  # a duplicate gets no satisfaction survey
    assert list(survivor.comments.values_list("body", flat=True)) == ["客户第二次来电"]
    assert survivor.attachments.count() == 1 and duplicate.attachments.count() == 0
    assert sorted(w.number for w in survivor.waybill_rows.all()) == [
        "SF1409821733526", "YT7512345678901"]
    assert survivor.tags == ["vip"]
    assert survivor.priority == "P0"  # the more urgent of the two, audited
    assert survivor.events.filter(kind=EventKind.PRIORITY).exists()
    merge = survivor.events.get(kind=EventKind.MERGE)
    assert merge.data["from_number"] == duplicate.number
    closing = duplicate.events.filter(kind=EventKind.TRANSITION).last()
    assert (closing.from_status, closing.to_status, closing.data["transition"],
            closing.data["into_number"]) == ("received", "closed", "merge", survivor.number)
    # The duplicate's trail stays where it was (append-only) and shows in the survivor's.
    assert set(events_before) <= set(duplicate.events.values_list("pk", flat=True))
    trail = set(selectors.ticket_trail(survivor).values_list("pk", flat=True))
    assert set(duplicate.events.values_list("pk", flat=True)) <= trail
    # The customer is told one number.
    message = Notification.objects.get(payload__kind="merge")
    assert survivor.number in message.body and message.recipient == "13800138000"
    assert f"请以工单号 {survivor.number} 查询进度" in message.body


@pytest.mark.django_db
def test_the_customer_sees_one_number(setup, pair):
    survivor, duplicate = pair
    actions.check_merge_ticket(user=setup.supervisor, ticket_id=duplicate.pk,
                               into_id=survivor.pk)
    customer = survivor.customer
    assert [t.number for t in selectors.customer_tickets(customer)] == [survivor.number]
    asked = selectors.customer_tickets(customer, number=duplicate.number)
    assert [t.number for t in asked] == [survivor.number]


@pytest.mark.django_db
def test_writes_to_a_merged_number_land_on_the_survivor(setup, pair):
    survivor, duplicate = pair
    actions.check_merge_ticket(user=setup.supervisor, ticket_id=duplicate.pk,
                               into_id=survivor.pk)
    comment = actions.check_add_comment(user=setup.supervisor, ticket_id=duplicate.pk,
                                        body="客户又来问了", visibility="public")
    assert comment.ticket_id == survivor.pk
    with pytest.raises(DomainError) as raised:  # reopen the survivor, never a duplicate
        actions.check_reopen_ticket(user=setup.supervisor, ticket_id=duplicate.pk,
                                    reason="二次投诉")
    assert raised.value.code == "transition_not_allowed"


@pytest.mark.django_db
def test_only_duplicates_merge(setup):
    first = make_ticket(setup)
    other_parcel = make_ticket(setup, waybills=["YT7512345678901"])
    other_customer = make_ticket(setup, customer_phone="13900139000")
    for ticket in (other_parcel, other_customer):
        with pytest.raises(DomainError) as raised:
            actions.check_merge_ticket(user=setup.supervisor, ticket_id=ticket.pk,
                                       into_id=first.pk)
        assert raised.value.code == "not_duplicate"
    with pytest.raises(DomainError) as raised:
        actions.check_merge_ticket(user=setup.supervisor, ticket_id=first.pk, into_id=first.pk)
    assert raised.value.code == "invalid_merge"


@pytest.mark.django_db
def test_an_agent_must_own_one_of_the_two(setup, pair):
    survivor, duplicate = pair
    with pytest.raises(Forbidden):
        actions.check_merge_ticket(user=setup.agent2, ticket_id=duplicate.pk,
                                   into_id=survivor.pk)
    assert Ticket.objects.get(pk=duplicate.pk).status == Status.RECEIVED


@pytest.mark.django_db
def test_never_into_a_closed_ticket(setup):
    from tests.factories import ticket_in

    closed = ticket_in(setup, "closed")
    fresh = make_ticket(setup)
    with pytest.raises(DomainError) as raised:
        actions.check_merge_ticket(user=setup.supervisor, ticket_id=fresh.pk, into_id=closed.pk)
    assert (raised.value.code, raised.value.status_code) == ("merge_target_closed", 409)


@pytest.mark.django_db
def test_api_hint_then_merge_then_events(setup, pair):
    survivor, duplicate = pair
    client = api(setup.agent)
    detail = client.get(f"/api/tickets/{survivor.pk}/").json()
    assert [d["number"] for d in detail["duplicates"]] == [duplicate.number]
    hints = client.get(f"/api/tickets/{survivor.pk}/duplicates/").json()
    assert [h["id"] for h in hints] == [duplicate.pk]
    response = client.post(f"/api/tickets/{duplicate.pk}/merge/", {"into": survivor.pk},
                           format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == survivor.pk and body["duplicates"] == []
    assert body["merged_tickets"] == [{"id": duplicate.pk, "number": duplicate.number}]
    merged = client.get(f"/api/tickets/{duplicate.pk}/").json()
    assert merged["merged_into"] == {"id": survivor.pk, "number": survivor.number}
    assert merged["status"] == "closed"
    events = client.get(f"/api/tickets/{survivor.pk}/events/?page_size=100").json()["results"]
    assert {e["ticket_number"] for e in events} == {survivor.number, duplicate.number}
    again = client.post(f"/api/tickets/{duplicate.pk}/merge/", {"into": survivor.pk},
                        format="json")
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")


@pytest.mark.django_db
def test_merge_through_the_transition_endpoint(setup, pair):
    survivor, duplicate = pair
    client = api(setup.supervisor)
    missing = client.post(f"/api/tickets/{duplicate.pk}/transitions/merge/", {}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (400, "missing_fields")
    response = client.post(f"/api/tickets/{duplicate.pk}/transitions/merge/",
                           {"into": survivor.pk, "reason": "重复"}, format="json")
    assert response.status_code == 200
    assert response.json()["merged_into"]["id"] == survivor.pk


@pytest.mark.django_db
def test_events_are_never_rewritten(setup, pair):
    """The trail is append-only (on PostgreSQL a trigger refuses an UPDATE at once, inside
    this transaction): merging only adds rows."""
    survivor, duplicate = pair
    before = {e.pk: (e.ticket_id, e.kind, e.data) for e in TicketEvent.objects.all()}
    actions.check_merge_ticket(user=setup.supervisor, ticket_id=duplicate.pk,
                               into_id=survivor.pk)
    after = {e.pk: (e.ticket_id, e.kind, e.data) for e in TicketEvent.objects.all()}
    assert all(after[pk] == row for pk, row in before.items())
    assert len(after) > len(before)


@pytest.mark.django_db
def test_the_merged_trail_lists_in_constant_queries(setup, pair, django_assert_max_num_queries):
    survivor, duplicate = pair
    actions.check_merge_ticket(user=setup.supervisor, ticket_id=duplicate.pk,
                               into_id=survivor.pk)
    client = api(setup.supervisor)
    client.get(f"/api/tickets/{survivor.pk}/events/")  # warm the token and role caches
    with django_assert_max_num_queries(10):
        response = client.get(f"/api/tickets/{survivor.pk}/events/?page_size=100")
    assert response.json()["count"] >= 8
