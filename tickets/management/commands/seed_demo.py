from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from logistics.demo import seed_logistics
from routing.demo import seed_routing
from tickets.demo import PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Loads the demo data (idempotent). Refuses when DEBUG is off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Run even though DEBUG is off (never on production data).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: seed_demo creates users with a known password. "
                               "Use --force only on a throwaway database.")
        created = seed_demo()
        seed_logistics()  # demo shipments and tracking (logistics/demo.py)
        seed_routing()  # skills, profiles, rules; routes the waiting demo tickets
        from tickets.quality.demo import seed_quality

        seed_quality()  # forbidden promises, sampling policies (tickets/quality/demo.py)
        from knowledge.demo import seed_knowledge

        seed_knowledge()  # knowledge-base articles and macros (knowledge/demo.py)
        from stations.demo import seed_stations

        seed_stations()  # calendars, stations, their people, tasks, an address check
        from analytics.demo import seed_analytics

        seed_analytics()  # the storm hub's batch incident, its children, a daily report
        self.stdout.write(f"demo data ready ({created} tickets created this run); "
                          f"logins agent01…agent06, reviewer01, supervisor01, ops01, "
                          f"station01, station02, courier01 / {PASSWORD}")
