"""Tickets routed at the same moment never push an agent past capacity and never
double-assign: real threads, real connections, real row locks (PostgreSQL)."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from routing import actions
from routing.models import RoutingDecision
from tests.factories import make_ticket
from tests.routing.conftest import agent
from tickets.choices import EventKind
from tickets.models import Ticket, TicketEvent


def _parallel(jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait(timeout=20)
            job()
        except Exception as exc:  # shown by the assertion below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_parallel_routing_and_draining_respect_capacity(setup):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SELECT … FOR UPDATE, SKIP LOCKED); CI runs it")
    tickets = [make_ticket(setup, customer_phone=f"1380013{i:04d}") for i in range(24)]
    assert not Ticket.objects.exclude(status="received").exists()  # nobody online yet
    agents = [agent(f"c{i}", queues=[setup.queue], capacity=2) for i in range(4)]
    ids = [t.pk for t in tickets]
    jobs = [lambda chunk=ids[i::8]: [actions.check_route_ticket(ticket_id=pk)
                                     for pk in chunk] for i in range(8)]
    jobs += [lambda a=a: actions.do_drain_agent(a.pk) for a in agents]
    errors = _parallel(jobs)
    assert errors == []
    loads = Counter(Ticket.objects.filter(status="assigned").values_list("owner_id",
                                                                         flat=True))
    assert loads == {a.pk: 2 for a in agents}, loads
    per_ticket = Counter(TicketEvent.objects.filter(
        kind=EventKind.ASSIGNMENT).values_list("ticket_id", flat=True))
    assert max(per_ticket.values()) == 1  # nobody assigned twice
    assert RoutingDecision.objects.filter(winner__isnull=False).count() == 8
    assert Ticket.objects.filter(status="received").count() == 16
