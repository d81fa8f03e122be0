"""Two people merging the same pair opposite ways at the same moment: both rows are locked in
primary-key order, so one merge wins, the other is refused, nobody deadlocks (PostgreSQL)."""

import pytest
from django.db import connection

from tests.factories import make_ticket
from tests.routing.test_concurrency import _parallel
from tickets import actions
from tickets.models import Ticket


@pytest.mark.django_db(transaction=True)
def test_opposite_merges_at_once_one_wins(setup):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SELECT … FOR UPDATE); CI runs it")
    first, second = make_ticket(setup), make_ticket(setup)
    outcomes = []

    def merge(source, target):
        def job():
            try:
                actions.check_merge_ticket(user=setup.supervisor, ticket_id=source.pk,
                                           into_id=target.pk)
                outcomes.append("merged")
            except actions.TicketError as exc:
                outcomes.append(exc.code)
            except Exception as exc:  # DomainError codes are compared below
                outcomes.append(getattr(exc, "code", repr(exc)))
        return job

    errors = _parallel([merge(first, second), merge(second, first)])
    assert errors == []
    assert sorted(outcomes) in (["merge_target_closed", "merged"],
                                ["merged", "transition_not_allowed"]), outcomes
    rows = dict(Ticket.objects.filter(pk__in=[first.pk, second.pk])
                .values_list("pk", "merged_into_id"))
    assert sorted(v is None for v in rows.values()) == [False, True]  # exactly one merged
