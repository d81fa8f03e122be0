"""Station isolation: every station endpoint, generated from the URL patterns, answers 404 for
another station's task exactly like for a missing one, and refuses non-members."""

import pytest
from django.urls import URLPattern, URLResolver

from stations.api import station_urls
from stations.choices import TaskKind
from tests.stations.conftest import client_for


def _task_patterns():
    for pattern in station_urls.urlpatterns:
        assert isinstance(pattern, URLPattern | URLResolver)
        route = str(pattern.pattern)
        if "<int:task_id>" in route:
            yield route


TASK_ROUTES = list(_task_patterns())


def _call(client, route, task_id):
    url = "/api/station/" + route.replace("<int:task_id>", str(task_id))
    if url.endswith("/complete/"):
        return client.post(url, {"result": "not_delivered", "note": "x"}, format="json")
    return client.get(url)


@pytest.fixture
def two_tasks(stations, lost_ticket):
    from stations.actions import do_create_station_task
    from tickets.models import Ticket

    ticket = Ticket.objects.get(pk=lost_ticket.pk)
    mine = do_create_station_task(ticket, station=stations.xihu, kind=TaskKind.VERIFY_DELIVERY,
                                  note="", acting_user=stations.setup.supervisor)
    theirs = do_create_station_task(ticket, station=stations.nanshan,
                                    kind=TaskKind.VERIFY_DELIVERY, note="",
                                    acting_user=stations.setup.supervisor)
    return mine, theirs


def test_every_task_route_is_covered():
    assert sorted(TASK_ROUTES) == ["tasks/<int:task_id>/", "tasks/<int:task_id>/complete/"]


@pytest.mark.django_db
@pytest.mark.parametrize("route", TASK_ROUTES)
def test_another_stations_task_is_404_like_a_missing_one(stations, two_tasks, route):
    mine, theirs = two_tasks
    client = client_for(stations.staff)
    other = _call(client, route, theirs.pk)
    missing = _call(client, route, 999999)
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    theirs.refresh_from_db()
    assert theirs.status == "open"  # nothing happened to it


@pytest.mark.django_db
@pytest.mark.parametrize("route", TASK_ROUTES)
def test_own_stations_task_is_reachable(stations, two_tasks, route):
    mine, theirs = two_tasks
    assert _call(client_for(stations.staff), route, mine.pk).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("route", [*TASK_ROUTES, "tasks/"])
def test_agents_and_customers_are_not_station_members(stations, two_tasks, route):
    mine, _ = two_tasks
    for user in (stations.setup.agent, stations.setup.supervisor):
        assert _call(client_for(user), route, mine.pk).status_code == 403


@pytest.mark.django_db
def test_list_shows_only_own_station(stations, two_tasks):
    mine, theirs = two_tasks
    listed = client_for(stations.other_staff).get("/api/station/tasks/").json()
    assert [t["id"] for t in listed] == [theirs.pk]


@pytest.mark.django_db
def test_web_page_hides_other_stations_tasks(stations, two_tasks):
    from django.test import Client

    mine, theirs = two_tasks
    client = Client()
    client.force_login(stations.staff)
    assert client.get(f"/station/tasks/{theirs.pk}/").status_code == 404
    assert client.get(f"/station/tasks/{mine.pk}/").status_code == 200
    page = client.get("/station/").content.decode()
    assert f'data-task="{mine.pk}"' in page and f'data-task="{theirs.pk}"' not in page


@pytest.mark.django_db
def test_phone_masked_except_for_the_courier_of_an_open_delivery_task(stations, two_tasks):
    mine, _ = two_tasks
    mine.courier = stations.courier
    mine.save(update_fields=["courier"])
    url = f"/api/station/tasks/{mine.pk}/"
    assert client_for(stations.staff).get(url).json()["recipient_phone"] == "138****8000"
    assert client_for(stations.courier).get(url).json()["recipient_phone"] == "13800138000"
    from stations.actions import check_complete_station_task

    check_complete_station_task(user=stations.courier, task_id=mine.pk, result="not_delivered")
    assert client_for(stations.courier).get(url).json()["recipient_phone"] == "138****8000"


def _web_task_routes():
    from stations.web import urls as web_urls

    return [str(p.pattern) for p in web_urls.urlpatterns if "<int:task_id>" in str(p.pattern)]


@pytest.mark.django_db
@pytest.mark.parametrize("route", _web_task_routes())
@pytest.mark.parametrize("method", ["get", "post"])
def test_web_routes_answer_404_for_another_stations_task(stations, two_tasks, route, method):
    from django.test import Client

    mine, theirs = two_tasks
    client = Client()
    client.force_login(stations.staff)
    url = "/station/" + route.replace("<int:task_id>", str(theirs.pk))
    response = getattr(client, method)(url, {"result": "not_delivered"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "open"
