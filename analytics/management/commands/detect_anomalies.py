import json as jsonlib
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = ("Runs batch-anomaly detection once (stall clusters, complaint spikes): opens or grows "
            "batch incidents, warns affected customers. --at evaluates 'now' as that instant.")

    def add_arguments(self, parser):
        parser.add_argument("--at", help="ISO 8601 instant, e.g. 2026-11-23T10:00:00+08:00")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, at=None, json=False, **options):
        from analytics.actions import do_detect_anomalies

        now = None
        if at:
            try:
                now = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at: not an ISO 8601 time: {at!r}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        outcomes = do_detect_anomalies(now)
        rows = [o.as_dict() for o in outcomes]
        if json:
            self.stdout.write(_dumps({"incidents": rows}))
            return
        if not rows:
            self.stdout.write("no anomaly")
        for r in rows:
            where = r["location"] or r["district"]
            self.stdout.write(f"{r['ticket_number']} {r['kind']} {where} "
                              f"{r['carrier'] or r['category']}: {r['shipments']} parcels, "
                              f"{r['tickets']} tickets, {r['notified']} notified"
                              f"{' (new)' if r['created'] else ''}")


def _dumps(obj) -> str:
    return jsonlib.dumps(obj, ensure_ascii=False)
