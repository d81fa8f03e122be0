import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from stations.models import AddressCheck, StationTask
from tests.stations.conftest import client_for


def _seed(settings):
    """seed_demo itself on SQLite. On PostgreSQL only what runs before and for stations: another
    app's demo bulk-loads with COPY, which DEBUG's cursor wrapper refuses there."""
    from django.db import connection

    if connection.vendor == "sqlite":
        settings.DEBUG = True
        call_command("seed_demo")
        return
    from logistics.demo import seed_logistics
    from routing.demo import seed_routing
    from stations.demo import seed_stations
    from tickets.demo import seed_demo

    seed_demo()
    seed_logistics()
    seed_routing()
    seed_stations()


@pytest.mark.django_db
def test_demo_stations_people_tasks_and_a_waiting_address_check(settings):
    _seed(settings)
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["station01", "station02", "courier01"])}
    assert all(users[name].check_password("parceldesk-demo") for name in users)
    s1, s2 = (users[n].station_membership for n in ("station01", "station02"))
    courier = users["courier01"].station_membership
    assert s1.role == "staff" and s2.role == "staff" and courier.role == "courier"
    assert courier.station_id == s1.station_id and s1.station_id != s2.station_id
    for staff in (users["station01"], users["station02"]):
        tasks = client_for(staff).get("/api/station/tasks/").json()
        assert any(t["kind"] == "verify_delivery" and t["status"] == "open" for t in tasks)
    assert StationTask.objects.filter(status="open", due_at__lt=timezone.now()).exists()
    assert AddressCheck.objects.filter(status="waiting").count() == 1
    from tickets.models import BusinessCalendar

    assert set(BusinessCalendar.objects.values_list("code", flat=True)) >= {"cn_workdays",
                                                                            "24x7"}
    counts = (StationTask.objects.count(), AddressCheck.objects.count())
    _seed(settings)
    assert (StationTask.objects.count(), AddressCheck.objects.count()) == counts
