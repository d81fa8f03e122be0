from django.core.management.base import BaseCommand

from knowledge.assist import do_index_closed_tickets


class Command(BaseCommand):
    help = ("Digests closed tickets for similar-ticket suggestions (the backlog; tickets closing "
            "from now on are digested as they close).")

    def handle(self, *args, **options):
        self.stdout.write(f"{do_index_closed_tickets()} closed tickets indexed")
