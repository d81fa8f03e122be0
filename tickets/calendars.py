"""Business time: when a clock runs, and arithmetic on it.

A `Calendar` gives each local day its working intervals: the weekday's hours, or with Chinese
holidays on, none on a public holiday and Monday's hours on a 调休 weekend working day
(holidays and 调休 days come from the maintained `chinese_calendar` package; outside the years it
knows, plain weekdays apply). 24×7 runs always. Every deadline in ParcelDesk — tickets' response
and resolution, station tasks — is `calendar.add(start, minutes=…)` in Asia/Shanghai.

Calendars are held per process (CATALOG_TTL) like the ticket catalog and dropped on save.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from config.snapshot import ProcessSnapshot

logger = logging.getLogger(__name__)

SHANGHAI = "Asia/Shanghai"
TWENTY_FOUR_SEVEN = "24x7"
_MAX_DAYS = 3 * 366  # a calendar without any working hour must not loop for ever


def _parse_hours(raw) -> dict[int, tuple[tuple[time, time], ...]]:
    hours = {}
    for key, spans in (raw or {}).items():
        parsed = []
        for start, end in spans:
            parsed.append((time.fromisoformat(start), time.fromisoformat(end)))
        hours[int(key)] = tuple(sorted(parsed))
    return hours


def _is_cn_workday(day: date) -> bool | None:
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not cover yet
        return None


@dataclass(frozen=True)
class Calendar:
    code: str = TWENTY_FOUR_SEVEN
    always_open: bool = True
    hours: dict = field(default_factory=dict)  # weekday -> ((start, end), …) local times
    cn_holidays: bool = False
    time_zone: str = SHANGHAI

    @classmethod
    def from_model(cls, row) -> Calendar:
        return cls(code=row.code, always_open=row.always_open, hours=_parse_hours(row.hours),
                   cn_holidays=row.cn_holidays, time_zone=row.time_zone or SHANGHAI)

    @classmethod
    def daily(cls, opens: time, closes: time, *, code: str = "daily") -> Calendar:
        """Open every day between two times (a station without its own calendar)."""
        return cls(code=code, always_open=False,
                   hours={d: ((opens, closes),) for d in range(7)})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def day_spans(self, day: date) -> tuple[tuple[time, time], ...]:
        if self.always_open:
            return ((time(0), time(0)),)  # (00:00, 00:00) = the whole day
        if self.cn_holidays:
            workday = _is_cn_workday(day)
            if workday is False:
                return ()
            if workday and day.weekday() >= 5:
                return self.hours.get(day.weekday()) or self.hours.get(0, ())
        return self.hours.get(day.weekday(), ())

    def is_working_day(self, day: date) -> bool:
        return bool(self.day_spans(day))

    def intervals(self, start: datetime):
        """Working intervals (aware datetimes) from `start`'s local day onwards."""
        tz = self.tz
        day = timezone.localtime(start, tz).date()
        for _ in range(_MAX_DAYS):
            for opens, closes in self.day_spans(day):
                begin = datetime.combine(day, opens, tz)
                end_day = day + timedelta(days=1) if closes <= opens else day
                yield begin, datetime.combine(end_day, closes, tz)
            day += timedelta(days=1)

    def add(self, start: datetime, *, minutes: float = 0, hours: float = 0) -> datetime:
        """The instant `minutes` + `hours` of business time after `start`."""
        remaining = timedelta(minutes=minutes, hours=hours)
        if self.always_open:
            return start + remaining
        for begin, end in self.intervals(start):
            if end <= start:
                continue
            begin = max(begin, start)
            if begin + remaining <= end:
                return (begin + remaining).astimezone(self.tz)
            remaining -= end - begin
        raise ValueError(f"calendar {self.code} has no working time ahead")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (negative when `end` is before `start`)."""
        if end < start:
            return -self.between(end, start)
        if self.always_open:
            return end - start
        total = timedelta()
        for begin, close in self.intervals(start):
            if begin >= end:
                break
            lo, hi = max(begin, start), min(close, end)
            if hi > lo:
                total += hi - lo
        return total


ALWAYS = Calendar()


def _load() -> dict:
    from tickets.models import BusinessCalendar

    by_code, by_id, by_queue = {}, {}, {}
    for row in BusinessCalendar.objects.prefetch_related("queues"):
        try:
            calendar = Calendar.from_model(row)
        except (TypeError, ValueError, AttributeError):  # saved around the admin's clean()
            logger.error("business calendar %s has malformed hours; using 24x7", row.code)
            calendar = Calendar(code=row.code)
        by_code[row.code], by_id[row.pk] = calendar, calendar
        for queue in row.queues.all():
            by_queue.setdefault(queue.pk, calendar)
    return {"code": by_code, "id": by_id, "queue": by_queue}


_snapshot = ProcessSnapshot(_load, ttl_setting="CATALOG_TTL")
clear = _snapshot.clear


def get_calendar(code: str | None) -> Calendar:
    """By code; 24×7 when empty. Unknown codes raise KeyError (commands report them)."""
    if not code or code == TWENTY_FOUR_SEVEN and code not in _snapshot.get()["code"]:
        return ALWAYS
    return _snapshot.get()["code"][code]


def calendar_by_id(pk: int | None) -> Calendar:
    if pk is None:
        return ALWAYS
    return _snapshot.get()["id"].get(pk, ALWAYS)


def calendar_for_ticket(*, policy=None, queue_id: int | None = None) -> Calendar:
    """The queue's calendar if it has one, else the SLA policy's, else 24×7."""
    if queue_id is not None:
        found = _snapshot.get()["queue"].get(queue_id)
        if found is not None:
            return found
    return calendar_by_id(getattr(policy, "calendar_id", None))


def _wire():
    from tickets.models import BusinessCalendar

    post_save.connect(clear, sender=BusinessCalendar, dispatch_uid="calendars-save")
    post_delete.connect(clear, sender=BusinessCalendar, dispatch_uid="calendars-delete")
    m2m_changed.connect(clear, sender=BusinessCalendar.queues.through,
                        dispatch_uid="calendars-queues")


_wire()
