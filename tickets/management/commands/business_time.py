"""Business-time arithmetic on a calendar (tickets/calendars.py), in Asia/Shanghai.

    manage.py business_time add --calendar cn_workdays --start 2026-09-30T17:00+08:00 --hours 2
    manage.py business_time between --calendar cn_workdays \
        2026-09-30T17:00+08:00 2026-10-08T10:00+08:00
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tickets import calendars


def _instant(text: str, tz) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not an ISO 8601 time: {text}") from None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=tz)  # a time without offset is Asia/Shanghai local time
    return value


class Command(BaseCommand):
    help = "Adds business hours to an instant, or counts business hours between two instants."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        add = sub.add_parser("add")
        add.add_argument("--calendar", required=True)
        add.add_argument("--start", required=True)
        add.add_argument("--hours", required=True, type=float)
        between = sub.add_parser("between")
        between.add_argument("--calendar", required=True)
        between.add_argument("start")
        between.add_argument("end")

    def handle(self, *args, op, calendar, **options):
        try:
            cal = calendars.get_calendar(calendar)
        except KeyError:
            raise CommandError(f"unknown calendar: {calendar}") from None
        if op == "add":
            due = cal.add(_instant(options["start"], cal.tz), hours=options["hours"])
            self.stdout.write(due.astimezone(cal.tz).isoformat())
        else:
            span = cal.between(_instant(options["start"], cal.tz), _instant(options["end"], cal.tz))
            hours = span.total_seconds() / 3600
            self.stdout.write(f"{hours:g}")
