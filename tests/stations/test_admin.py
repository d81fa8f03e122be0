"""Ops manage stations in admin; the CSV import shows progress and reports bad rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from stations.models import Station

CSV = ("code,name,carrier,province,city,district,address,latitude,longitude,opens_at,"
       "closes_at,capacity,manager,calendar,phone\n"
       "HZ-XH-02,杭州西湖古荡网点,sf,浙江省,杭州市,西湖区,古荡路 1 号,30.28,120.12,08:30,"
       "20:00,30,manager01,,0571-1\n"
       "HZ-XH-01,杭州西湖文三路网点（改）,sf,浙江省,杭州市,西湖区,,30.28,120.13,,,12,,,\n"
       "BAD-1,坏行,sf,浙江省,杭州市,西湖区,,not-a-number,120.1,,,,,,\n"
       "BAD-2,没有经理,sf,浙江省,杭州市,西湖区,,,,,,,nobody,,\n")


@pytest.fixture
def ops(stations):
    from tests.factories import UserFactory

    user = UserFactory(username="ops01", roles=["ops"])
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_csv_import_creates_updates_and_reports_progress(ops, stations):
    assert "从 CSV 导入" in ops.get("/admin/stations/station/").content.decode()
    upload = SimpleUploadedFile("stations.csv", CSV.encode("utf-8-sig"), "text/csv")
    response = ops.post("/admin/stations/station/import/", {"file": upload})
    assert response.status_code == 200 and response.streaming
    page = b"".join(response.streaming_content).decode()
    assert '<progress id="p" max="4"' in page and '"4 / 4"' in page
    new = Station.objects.get(code="HZ-XH-02")
    assert new.manager.username == "manager01" and new.capacity == 30
    assert str(new.opens_at) == "08:30:00"
    stations.xihu.refresh_from_db()
    assert stations.xihu.name == "杭州西湖文三路网点（改）" and stations.xihu.capacity == 12
    assert not Station.objects.filter(code__startswith="BAD").exists()
    assert "新建 1 个，更新 1 个，2 行有错误" in page
    assert "nobody" in page


@pytest.mark.django_db
def test_csv_without_the_code_column_is_refused(ops):
    upload = SimpleUploadedFile("s.csv", b"name\nx\n", "text/csv")
    response = ops.post("/admin/stations/station/import/", {"file": upload})
    assert response.status_code == 200 and not response.streaming
    assert "code" in response.content.decode()


@pytest.mark.django_db
def test_admin_pages_render(ops, stations, lost_ticket):
    from stations.actions import do_create_station_task

    task = do_create_station_task(lost_ticket, station=stations.xihu, kind="pod_photo",
                                  note="", acting_user=stations.setup.supervisor)
    for url in ("/admin/stations/station/", f"/admin/stations/station/{stations.xihu.pk}/change/",
                "/admin/stations/stationtask/", f"/admin/stations/stationtask/{task.pk}/change/",
                "/admin/stations/stationmember/", "/admin/stations/addresscheck/",
                "/admin/tickets/businesscalendar/", "/admin/tickets/businesscalendar/add/",
                "/admin/stations/station/import/"):
        assert ops.get(url).status_code == 200, url
