"""SLA deadlines and breach escalation under a frozen clock."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import SlaPolicyFactory, make_ticket, ticket_in
from tickets import actions
from tickets.choices import EventKind
from tickets.models import Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_deadlines_from_the_priority_policy_on_create(setup):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(setup, category="lost_parcel")  # default P1: 15 min / 2 h
    assert ticket.priority == "P1"
    assert ticket.response_due == T0 + timedelta(minutes=15)
    assert ticket.resolve_due == T0 + timedelta(hours=2)
    assert ticket.number == "TK20261121000001"


@pytest.mark.django_db
def test_category_policy_wins_over_the_priority_default(setup):
    SlaPolicyFactory(priority="P2", category=setup.categories["fee_dispute"],
                     response_minutes=20, resolve_minutes=180)
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(setup, category="fee_dispute")
    assert (ticket.response_due, ticket.resolve_due) == (T0 + timedelta(minutes=20),
                                                         T0 + timedelta(minutes=180))


@pytest.mark.django_db
def test_priority_change_recomputes_deadlines_from_creation(setup):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(setup, category="other")  # P3: 2 h / 24 h
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        actions.check_update_ticket(user=setup.supervisor, ticket_id=ticket.pk, priority="P1",
                                    reason="VIP 客户")
    ticket.refresh_from_db()
    assert ticket.response_due == T0 + timedelta(minutes=15)
    assert ticket.resolve_due == T0 + timedelta(hours=2)
    event = ticket.events.get(kind=EventKind.PRIORITY)
    assert (event.data["from"], event.data["to"], event.note) == ("P3", "P1", "VIP 客户")


@pytest.mark.django_db
def test_ticket_numbers_count_per_local_day(setup):
    # 23:30 UTC on the 20th is 07:30 on the 21st in Shanghai.
    with time_machine.travel(datetime(2026, 11, 20, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        first = make_ticket(setup)
        second = make_ticket(setup)
    with time_machine.travel(datetime(2026, 11, 22, 1, 0, tzinfo=SHANGHAI), tick=False):
        third = make_ticket(setup)
    assert [first.number, second.number, third.number] == [
        "TK20261121000001", "TK20261121000002", "TK20261122000001"]


@pytest.mark.django_db
def test_response_breach_is_recorded_once_escalated_and_notified(
        setup, outbox, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(setup, category="lost_parcel")
    with time_machine.travel(T0 + timedelta(minutes=14), tick=False):
        assert actions.record_sla_breaches() == {"response": 0, "resolution": 0}
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert actions.record_sla_breaches() == {"response": 1, "resolution": 0}
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert actions.record_sla_breaches() == {"response": 0, "resolution": 0}
    ticket.refresh_from_db()
    assert ticket.response_breached_at == T0 + timedelta(minutes=16)
    assert ticket.escalated is True
    breach = ticket.events.get(kind=EventKind.SLA_BREACH)
    assert breach.data["sla"] == "response"
    assert ticket.events.filter(kind=EventKind.ESCALATION).count() == 1
    assert [(m["channel"], m["recipient"]) for m in outbox] == [("wecom", "supervisor01")]
    assert ticket.number in outbox[0]["body"]
    # The sent message is itself on the audit trail.
    assert ticket.events.filter(kind=EventKind.NOTIFICATION).count() == 1


@pytest.mark.django_db
def test_started_ticket_breaches_resolution_but_not_response(setup):
    with time_machine.travel(T0, tick=False):
        ticket = ticket_in(setup, "processing", category="lost_parcel")
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        assert actions.record_sla_breaches() == {"response": 0, "resolution": 1}
    ticket.refresh_from_db()
    assert ticket.response_breached_at is None
    assert ticket.resolve_breached_at == T0 + timedelta(hours=3)


@pytest.mark.django_db
def test_tickets_in_review_or_closed_do_not_breach_resolution(setup):
    with time_machine.travel(T0, tick=False):
        in_review = ticket_in(setup, "review", category="lost_parcel")
        closed = ticket_in(setup, "closed", category="lost_parcel")
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert actions.record_sla_breaches() == {"response": 0, "resolution": 0}
    assert not Ticket.objects.filter(pk__in=[in_review.pk, closed.pk],
                                     resolve_breached_at__isnull=False).exists()


@pytest.mark.django_db
def test_public_reply_stops_the_response_clock(setup):
    with time_machine.travel(T0, tick=False):
        ticket = ticket_in(setup, "assigned", category="lost_parcel")
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        actions.check_add_comment(user=setup.agent, ticket_id=ticket.pk, body="您好，已为您核实",
                                  visibility="public")
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        assert actions.record_sla_breaches()["response"] == 0
    ticket.refresh_from_db()
    assert ticket.first_responded_at == T0 + timedelta(minutes=5)


@pytest.mark.django_db
def test_internal_note_does_not_stop_the_response_clock(setup):
    with time_machine.travel(T0, tick=False):
        ticket = ticket_in(setup, "assigned", category="lost_parcel")
        actions.check_add_comment(user=setup.agent, ticket_id=ticket.pk, body="内部备注")
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None


@pytest.mark.django_db
def test_beat_task_runs_the_same_check(setup):
    from tickets.tasks import check_sla_breaches

    with time_machine.travel(T0, tick=False):
        make_ticket(setup, category="lost_parcel")
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        assert check_sla_breaches.delay().get() == {"response": 1, "resolution": 1}


def test_beat_schedule_runs_every_minute(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["tickets.check_sla_breaches"]["schedule"] == 60.0
    assert schedule["tickets.retry_notifications"]["schedule"] == 60.0
