"""/ws/station/: a station member's list follows live; other stations' tasks never arrive."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from stations.consumers import StationConsumer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    import channels.db

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)


async def _connect(user):
    comm = WebsocketCommunicator(StationConsumer.as_asgi(), "/ws/station/")
    comm.scope["user"] = user
    connected, code = await comm.connect()
    return comm, connected, code


def test_only_station_members_connect(stations):
    async def scenario():
        for user, code in ((AnonymousUser(), 4401), (stations.setup.agent, 4403)):
            _comm, connected, got = await _connect(user)
            assert (connected, got) == (False, code)
        comm, connected, _ = await _connect(stations.staff)
        assert connected and (await comm.receive_json_from())["type"] == "hello"
        await comm.disconnect()

    async_to_sync(scenario)()


def test_own_stations_tasks_arrive_once_and_others_do_not(stations, lost_ticket,
                                                           django_capture_on_commit_callbacks):
    from stations.actions import do_create_station_task

    def create(station, courier=None):
        with django_capture_on_commit_callbacks(execute=True):
            return do_create_station_task(lost_ticket, station=station, kind="urge_dispatch",
                                          note="", acting_user=stations.setup.supervisor,
                                          courier=courier)

    async def scenario():
        courier, ok, _ = await _connect(stations.courier)
        assert ok
        await courier.receive_json_from()
        other, ok, _ = await _connect(stations.other_staff)
        assert ok
        await other.receive_json_from()
        mine = await database_sync_to_async(create)(stations.xihu, stations.courier)
        event = await courier.receive_json_from(timeout=2)
        assert event["type"] == "station_task" and event["id"] == mine.pk
        assert await courier.receive_nothing(timeout=0.2)  # not twice (station + own group)
        assert await other.receive_nothing(timeout=0.2)
        theirs = await database_sync_to_async(create)(stations.nanshan)
        assert (await other.receive_json_from(timeout=2))["id"] == theirs.pk
        assert await courier.receive_nothing(timeout=0.2)
        await courier.disconnect()
        await other.disconnect()

    async_to_sync(scenario)()
