import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from tickets.models import Ticket, TicketEvent


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_covers_every_state(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    tickets, events = Ticket.objects.count(), TicketEvent.objects.count()
    call_command("seed_demo")
    assert (Ticket.objects.count(), TicketEvent.objects.count()) == (tickets, events)
    states = set(Ticket.objects.values_list("status", flat=True))
    assert states == {"received", "assigned", "processing", "review", "closed"}
    assert Ticket.objects.filter(reopen_count=1, escalated=True).exists()
    assert Ticket.objects.filter(surveys__score__isnull=False).exists()
    from django.contrib.auth import authenticate

    for username in ("agent01", "agent06", "reviewer01", "supervisor01", "ops01"):
        assert authenticate(username=username, password="parceldesk-demo") is not None


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_issue_token_prints_the_token_last(setup, capsys):
    call_command("issue_token", "agent01")
    printed = capsys.readouterr().out.split()[-1]
    assert Token.objects.get(user=setup.agent).key == printed
    with pytest.raises(CommandError):
        call_command("issue_token", "nobody")
