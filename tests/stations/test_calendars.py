"""Business-time arithmetic: the 2026 National Day holiday and 调休 working days, checked against
chinese_calendar itself."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.management import call_command

from tickets import calendars
from tickets.models import BusinessCalendar

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def cn(db):
    row = BusinessCalendar.objects.create(
        code="cn_workdays", name="工作日", cn_holidays=True,
        hours={str(d): [["09:00", "18:00"]] for d in range(5)})
    BusinessCalendar.objects.create(code="24x7", name="7×24", always_open=True)
    return calendars.Calendar.from_model(row)


def test_the_package_agrees_with_the_dates_these_tests_use():
    # 2026 National Day: 1–7 October off; Sunday 20 September and Saturday 10 October worked.
    assert all(not chinese_calendar.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    assert date(2026, 10, 10).weekday() == 5 and chinese_calendar.is_workday(date(2026, 10, 10))
    assert date(2026, 9, 20).weekday() == 6 and chinese_calendar.is_workday(date(2026, 9, 20))
    assert not chinese_calendar.is_workday(date(2026, 10, 11))


@pytest.mark.django_db
def test_deadline_jumps_the_national_day_holiday(cn):
    # 17:00 on 30 Sept: one hour that day, the second on the 8th (the first working day after).
    assert cn.add(at(2026, 9, 30, 17), hours=2) == at(2026, 10, 8, 10)
    assert cn.between(at(2026, 9, 30, 17), at(2026, 10, 8, 10)) == timedelta(hours=2)
    # started inside the holiday: the clock starts at 09:00 on the 8th
    assert cn.add(at(2026, 10, 3, 11), hours=1) == at(2026, 10, 8, 10)


@pytest.mark.django_db
def test_the_tiaoxiu_saturday_is_a_working_day(cn):
    assert cn.add(at(2026, 10, 9, 17), hours=2) == at(2026, 10, 10, 10)
    # the ordinary Saturday after it is not: Friday 16 Oct 17:00 + 2h → Monday 19 Oct 10:00
    assert cn.add(at(2026, 10, 16, 17), hours=2) == at(2026, 10, 19, 10)
    assert cn.between(at(2026, 10, 9, 9), at(2026, 10, 12, 9)) == timedelta(hours=18)


@pytest.mark.django_db
def test_before_opening_and_after_closing(cn):
    assert cn.add(at(2026, 11, 2, 7), hours=1) == at(2026, 11, 2, 10)
    assert cn.add(at(2026, 11, 2, 20), minutes=30) == at(2026, 11, 3, 9, 30)
    assert cn.between(at(2026, 11, 2, 20), at(2026, 11, 3, 8)) == timedelta(0)


def test_always_open_is_plain_arithmetic():
    start = at(2026, 9, 30, 17)
    assert calendars.ALWAYS.add(start, hours=2) == at(2026, 9, 30, 19)
    assert calendars.ALWAYS.between(start, at(2026, 10, 8, 10)).total_seconds() == 185 * 3600


@pytest.mark.django_db
def test_business_time_command(cn):
    out = StringIO()
    call_command("business_time", "add", "--calendar", "cn_workdays", "--start",
                 "2026-09-30T17:00:00+08:00", "--hours", "2", stdout=out)
    assert out.getvalue().strip() == "2026-10-08T10:00:00+08:00"
    out = StringIO()
    call_command("business_time", "between", "--calendar", "cn_workdays",
                 "2026-10-09T09:00:00+08:00", "2026-10-12T09:00:00+08:00", stdout=out)
    assert out.getvalue().strip() == "18"
    out = StringIO()
    call_command("business_time", "add", "--calendar", "24x7", "--start",
                 "2026-09-30T17:00:00+08:00", "--hours", "2", stdout=out)
    assert out.getvalue().strip() == "2026-09-30T19:00:00+08:00"


@pytest.mark.django_db
def test_ticket_deadlines_use_the_policys_calendar(setup, cn):
    from unittest import mock

    from tests.factories import make_ticket
    from tickets.models import SlaPolicy

    SlaPolicy.objects.filter(priority="P1").update(
        calendar=BusinessCalendar.objects.get(code="cn_workdays"))
    from tickets import catalog

    catalog.clear()
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 9, 30, 17)):
        ticket = make_ticket(setup)  # lost_parcel: P1, respond 15 min, resolve 120 min
    assert ticket.response_due == at(2026, 9, 30, 17, 15)
    assert ticket.resolve_due == at(2026, 10, 8, 10)


@pytest.mark.django_db
def test_a_queues_calendar_wins(setup, cn):
    from unittest import mock

    from tests.factories import make_ticket

    BusinessCalendar.objects.get(code="cn_workdays").queues.add(setup.queue)
    with mock.patch("django.utils.timezone.now", return_value=at(2026, 10, 1, 12)):
        ticket = make_ticket(setup)
    assert ticket.response_due == at(2026, 10, 8, 9, 15)


@pytest.mark.django_db
def test_station_tasks_count_in_the_stations_business_time(stations, lost_ticket, cn):
    from stations.actions import do_create_station_task

    stations.xihu.calendar = BusinessCalendar.objects.get(code="cn_workdays")
    stations.xihu.save()
    task = do_create_station_task(lost_ticket, station=stations.xihu, kind="verify_delivery",
                                  note="", acting_user=stations.setup.supervisor,
                                  now=at(2026, 9, 30, 17))
    assert task.due_at == at(2026, 10, 8, 10)


@pytest.mark.django_db
def test_admin_refuses_malformed_hours():
    from django.core.exceptions import ValidationError

    for hours in ({"0": [["9am", "18:00"]]}, {"9": [["09:00", "18:00"]]}, {"0": "09-18"}, {}):
        with pytest.raises(ValidationError):
            BusinessCalendar(code="x", name="x", hours=hours).full_clean()
    BusinessCalendar(code="x", name="x", hours={"0": [["09:00", "18:00"]]}).full_clean()
    BusinessCalendar(code="y", name="y", always_open=True).full_clean()
