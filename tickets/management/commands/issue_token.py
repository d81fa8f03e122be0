from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from config.errors import DomainError
from tickets.actions import ensure_customer_user


class Command(BaseCommand):
    help = ("Prints an API token (the last word printed) for a staff user, or with --customer "
            "PHONE for that customer (created when new).")

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--customer", metavar="PHONE")

    def handle(self, *args, username=None, customer=None, **options):
        if bool(username) == bool(customer):
            raise CommandError("give a USERNAME or --customer PHONE")
        if customer:
            try:
                user = ensure_customer_user(customer).user
            except DomainError as exc:
                raise CommandError(exc.detail) from exc
        else:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {username!r}")
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
