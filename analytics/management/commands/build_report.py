from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = ("Builds the daily or weekly service report: report.html (Chinese, self-contained), "
            "kpis.csv and PNG charts in --out; stores it (admin, console).")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["daily", "weekly"])
        parser.add_argument("--date", help="YYYY-MM-DD (default: yesterday); weekly: the "
                                           "Monday–Sunday week containing it")
        parser.add_argument("--out", required=True, help="output directory")

    def handle(self, *args, kind, date=None, out, **options):
        from analytics.reports import build_report

        try:
            day = _parse(date) if date else timezone.localdate() - timedelta(days=1)
        except ValueError:
            raise CommandError(f"--date: expected YYYY-MM-DD, got {date!r}") from None
        report = build_report(kind, day, out)
        for name in report.files:
            self.stdout.write(f"{report.directory}/{name}")


def _parse(text: str) -> date:
    return date.fromisoformat(text)
