import threading

import pytest
from django.db import connection, connections, transaction

from config.errors import DomainError
from tests.factories import ticket_in
from tickets import actions
from tickets.actions.transitions import do_transition
from tickets.choices import EventKind
from tickets.models import ImmutableError, Ticket, TicketEvent


@pytest.mark.django_db
def test_full_lifecycle_leaves_a_complete_audit_trail(setup):
    ticket = ticket_in(setup, "closed")
    trail = list(ticket.events.order_by("created_at", "id")
                 .values_list("kind", "from_status", "to_status"))
    assert trail == [
        ("created", "", "received"),
        ("transition", "received", "assigned"),
        ("assignment", "", ""),
        ("transition", "assigned", "processing"),
        ("transition", "processing", "review"),
        ("transition", "review", "closed"),
    ]
    actors = list(ticket.events.filter(kind="transition").values_list("actor__username",
                                                                     flat=True))
    assert actors == ["supervisor01", "agent01", "agent01", "reviewer01"]


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted(setup):
    event = ticket_in(setup, "received").events.first()
    event.note = "篡改"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()


@pytest.mark.django_db
def test_database_refuses_to_update_events_on_postgresql(setup):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    from django.db import DatabaseError

    ticket = ticket_in(setup, "received")
    with pytest.raises(DatabaseError), transaction.atomic():
        TicketEvent.objects.filter(ticket=ticket).update(note="篡改")


@pytest.mark.django_db
def test_stale_copy_loses_with_conflict(setup):
    """Two copies read in `assigned`; the first starts the ticket, the second's save fails."""
    ticket = ticket_in(setup, "assigned")
    first = Ticket.objects.get(pk=ticket.pk)
    stale = Ticket.objects.get(pk=ticket.pk)
    do_transition(first, "start", acting_user=setup.agent)
    with pytest.raises(DomainError) as raised, transaction.atomic():  # as the action holds
        do_transition(stale, "release", acting_user=setup.agent)
    assert (raised.value.status_code, raised.value.code) == (409, "conflict")
    ticket.refresh_from_db()
    assert ticket.status == "processing"
    assert ticket.events.filter(kind=EventKind.TRANSITION).count() == 2  # assign, start


@pytest.mark.django_db(transaction=True)
def test_two_agents_at_once_one_wins_one_gets_409(setup):
    """Real threads, real connections, real row locks (SELECT … FOR UPDATE)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; CI runs it")
    ticket = ticket_in(setup, "assigned")
    barrier = threading.Barrier(2)
    outcomes = []

    def act(name, kwargs):
        try:
            barrier.wait(timeout=10)
            actions.TRANSITION_ACTIONS[name](user=setup.agent, ticket_id=ticket.pk, **kwargs)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # anything else is a failure the assertion will show
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    # The same transition twice: whichever commits second finds the ticket already started.
    threads = [threading.Thread(target=act, args=("start", {})) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "transition_not_allowed"]
    ticket.refresh_from_db()
    assert ticket.status == "processing"
    assert ticket.events.filter(kind=EventKind.TRANSITION).count() == 2
