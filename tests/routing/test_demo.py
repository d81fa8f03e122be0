import pytest
from django.core.management import call_command

from routing.models import AgentProfile, RoutingDecision
from tickets.models import Ticket


@pytest.mark.django_db
def test_demo_routes_waiting_tickets_and_shows_why(settings, api_as):
    settings.DEBUG = True
    call_command("seed_demo")
    routed = RoutingDecision.objects.filter(winner__isnull=False, trigger="created")
    assert routed.count() >= 2
    assert AgentProfile.objects.filter(status="online").count() >= 4
    ticket = Ticket.objects.filter(status="assigned", routing_decisions__in=routed).first()
    from django.contrib.auth import get_user_model

    supervisor = get_user_model().objects.get(username="supervisor01")
    body = api_as(supervisor).get(f"/api/tickets/{ticket.pk}/").json()
    assert body["routing"]["candidates"] and "score" in body["routing"]["candidates"][0]
    assert Ticket.objects.filter(status="received").exists()  # some still wait
    decisions = RoutingDecision.objects.count()
    call_command("seed_demo")
    assert RoutingDecision.objects.count() == decisions
