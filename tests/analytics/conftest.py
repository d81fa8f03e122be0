import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

HUB = "杭州转运中心"
STORM = f"受暴雨天气影响，【{HUB}】暂停发运，快件滞留"


def scan_lines(number, carrier, steps, source="test"):
    """JSON lines in the documented import_tracking shape."""
    return [json.dumps({"tracking_number": number, "carrier": carrier,
                        "time": t.isoformat(), "status": status, "location": place,
                        "description": text, "source": source}, ensure_ascii=False)
            for t, status, place, text in steps]


DAYTIME = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


@pytest.fixture
def now():
    """The clock stands at Monday 10:00 Shanghai (outside quiet hours) during the test."""
    with time_machine.travel(DAYTIME, tick=False):
        yield timezone.now()


@pytest.fixture
def stalled(db, now):
    """stalled(n, location=HUB, carrier="sf", hours=30, prefix="SF77", phones=True, fresh=0)
    → numbers of n parcels whose last scan (arrived_at_hub) is `hours` before `now`, loaded
    through logistics' bulk import; recipients are registered through logistics' actions."""
    from logistics.actions import check_register_shipment
    from logistics.actions.bulk import do_import_events

    def make(n, *, location=HUB, carrier="sf", hours=30, prefix="SF77", phones=True, fresh=0,
             start=0, text=STORM):
        numbers, lines = [], []
        for i in range(start, start + n):
            number = f"{prefix}{i:08d}"
            numbers.append(number)
            if phones:
                check_register_shipment(acting_user=None, tracking_number=number,
                                        carrier=carrier, recipient_phone=f"139{i:08d}",
                                        goods=["fresh"] if i - start < fresh else [])
            last = now - timedelta(hours=hours, minutes=i % 50)
            lines += scan_lines(number, carrier, [
                (last - timedelta(hours=10), "picked_up", "上海市", "已揽收"),
                (last - timedelta(hours=5), "in_transit", "上海转运中心", "已发出"),
                (last, "arrived_at_hub", location, text)])
        summary = do_import_events(lines)
        assert summary.rejected == 0, summary.errors
        return numbers

    return make


@pytest.fixture
def moved(db, now):
    """moved(numbers, hours_ago=1): each parcel gets a new scan (it left the hub)."""
    from logistics.actions.bulk import do_import_events

    def make(numbers, *, hours_ago=1, carrier="sf"):
        lines = []
        for n in numbers:
            lines += scan_lines(n, carrier, [(now - timedelta(hours=hours_ago), "in_transit",
                                              "宁波转运中心", "快件已从杭州转运中心发出")])
        do_import_events(lines)

    return make


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what the block schedules after commit (eager tasks, the outbox's
    sends), as a real commit would; tests run inside a transaction that never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def detect(commit):
    """detect(at) → the JSON of `detect_anomalies --at AT --json`, effects committed."""
    from io import StringIO

    from django.core.management import call_command

    def run(at):
        out = StringIO()
        with commit():
            call_command("detect_anomalies", "--at", at.isoformat(), "--json", stdout=out)
        return json.loads(out.getvalue())

    return run
