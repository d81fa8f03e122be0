"""ingest_tracking, show_shipment and import_tracking."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from logistics.models import DeadLetter, RawPayload, Shipment, TrackingEvent
from tests.factories.logistics import kuaidi100_push, local, track17_sign
from tests.logistics.test_adapters_common import FIXTURES


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_ingest_tracking_push_is_verified_and_summarised():
    summary = json.loads(run("ingest_tracking", "--source", "kuaidi100",
                             str(FIXTURES / "kuaidi100" / "push_signed.txt")))
    assert summary["signature"] == "verified" and summary["kind"] == "push"
    assert summary["status"] == "processed" and summary["channel"] == "command"
    assert summary["tracking_numbers"] == ["YT7428136501234"]
    assert (summary["events_received"], summary["events_stored"]) == (5, 5)
    assert RawPayload.objects.get().channel == "command"


@pytest.mark.django_db
def test_ingest_tracking_query_response_needs_no_signature():
    summary = json.loads(run("ingest_tracking", "--source", "kuaidi100",
                             str(FIXTURES / "kuaidi100" / "query_returned.json")))
    assert summary["kind"] == "query" and summary["signature"] == "not_applicable"
    assert Shipment.objects.get(tracking_number="SF1409821733526").status == "returned"


@pytest.mark.django_db
def test_ingest_tracking_headers_carry_the_signature(tmp_path):
    body = (FIXTURES / "17track" / "push_updated.json").read_bytes()
    summary = json.loads(run("ingest_tracking", "--source", "17track",
                             str(FIXTURES / "17track" / "push_updated.json"),
                             "--header", f"sign: {track17_sign(body)}",
                             "--header", "Content-Type: application/json"))
    assert summary["signature"] == "verified" and summary["events_stored"] == 4
    assert RawPayload.objects.get().headers["sign"] == track17_sign(body)
    with pytest.raises(CommandError, match="bad_signature"):
        run("ingest_tracking", "--source", "17track",
            str(FIXTURES / "17track" / "push_updated.json"), "--header", "sign: 00")
    with pytest.raises(CommandError, match="Name: value"):
        run("ingest_tracking", "--source", "17track", "-", "--header", "nocolon")


@pytest.mark.django_db
def test_ingest_tracking_bad_signature_stores_nothing(settings):
    settings.KUAIDI100_SALT = "other"
    with pytest.raises(CommandError, match="bad_signature"):
        run("ingest_tracking", "--source", "kuaidi100",
            str(FIXTURES / "kuaidi100" / "push_signed.txt"))
    assert not RawPayload.objects.exists() and not Shipment.objects.exists()


@pytest.mark.django_db
def test_ingest_tracking_without_key_and_sf_unsigned(settings):
    settings.KUAIDI100_SALT = ""
    summary = json.loads(run("ingest_tracking", "--source", "kuaidi100",
                             str(FIXTURES / "kuaidi100" / "push_stuck.txt")))
    assert summary["signature"] == "not_configured" and summary["status"] == "processed"
    settings.SF_CHECKWORD = "checkword"
    summary = json.loads(run("ingest_tracking", "--source", "sf",
                             str(FIXTURES / "sf" / "push_route.json")))
    assert summary["signature"] == "unsigned" and summary["events_stored"] == 4


@pytest.mark.django_db
def test_ingest_tracking_malformed_is_a_dead_letter(tmp_path, settings):
    settings.KUAIDI100_SALT = ""  # with a key, an unparseable body must first be signed
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"result": true, "nu": ""}')
    with pytest.raises(CommandError, match="dead letter"):
        run("ingest_tracking", "--source", "kuaidi100", str(path))
    assert DeadLetter.objects.get().code == "malformed_payload"
    with pytest.raises(CommandError, match="unknown_source"):
        run("ingest_tracking", "--source", "nosuch", str(path))
    with pytest.raises(CommandError, match="cannot read"):
        run("ingest_tracking", "--source", "kuaidi100", str(tmp_path / "missing"))


@pytest.mark.django_db
def test_show_shipment_json_shape_and_table():
    run("ingest_tracking", "--source", "kuaidi100", str(FIXTURES / "kuaidi100" /
                                                       "push_signed.txt"))
    data = json.loads(run("show_shipment", "yt7428136501234", "--json"))
    assert list(data) == ["tracking_number", "carrier", "status", "events"]
    assert (data["tracking_number"], data["carrier"], data["status"]) == (
        "YT7428136501234", "yto", "delivered")
    assert [list(e) for e in data["events"]] == [["time", "status", "location",
                                                  "description"]] * 5
    assert data["events"][0] == {"time": "2024-05-18T16:20:31+08:00", "status": "picked_up",
                                 "location": "上海市浦东新区",
                                 "description": data["events"][0]["description"]}
    times = [e["time"] for e in data["events"]]
    assert times == sorted(times) and all(t.endswith("+08:00") for t in times)
    table = run("show_shipment", "YT7428136501234")
    assert "YT7428136501234" in table and "delivered" in table
    assert "2024-05-20 18:32:10" in table and len(table.splitlines()) >= 7


@pytest.mark.django_db
def test_show_shipment_unknown_number_fails():
    with pytest.raises(CommandError, match="no shipment"):
        run("show_shipment", "SF0000000000000", "--json")


def write_jsonl(path, rows, extra_lines=()):
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        for line in extra_lines:
            handle.write(line + "\n")


@pytest.mark.django_db
def test_import_tracking_bulk_is_idempotent_and_merges_by_time(tmp_path):
    start = local(2026, 11, 20, 9, 0)
    rows = []
    for n in range(30):
        number = f"SF14098217{n:05d}"
        for h, status, location in ((0, "picked_up", "上海市"), (10, "arrived_at_hub",
                                                                 "杭州转运中心"),
                                    (20, "out_for_delivery", "杭州市")):
            rows.append({"tracking_number": number, "carrier": "", "source": "bulk",
                         "time": (start + timedelta(hours=h, minutes=n)).isoformat(),
                         "status": status, "location": location,
                         "description": f"{status} 描述\t含制表符 \\ {n}"})
    rows.reverse()  # out of order on purpose
    path = tmp_path / "events.jsonl"
    write_jsonl(path, rows, ['{"tracking_number": "X1", "status": "flying", "time": "x"}',
                             "not json", ""])
    summary = json.loads(run("import_tracking", str(path), "--batch-size", "7",
                             "--no-progress"))
    assert summary["backend"] == connection.vendor
    assert (summary["lines"], summary["rejected"], summary["events_new"]) == (92, 2, 90)
    assert summary["shipments_created"] == 30 and summary["shipments_updated"] == 0
    assert any("unknown status" in e for e in summary["errors"])
    shipment = Shipment.objects.get(tracking_number="SF1409821700007")
    assert (shipment.carrier, shipment.status, shipment.last_location) == (
        "sf", "out_for_delivery", "杭州市")
    assert shipment.last_event_at == start + timedelta(hours=20, minutes=7)
    event = TrackingEvent.objects.filter(shipment=shipment, status="picked_up").get()
    assert event.description == "picked_up 描述\t含制表符 \\ 7" and event.source == "bulk"

    again = json.loads(run("import_tracking", str(path), "--no-progress"))
    assert (again["events_new"], again["duplicates"], again["shipments_created"]) == (0, 90, 0)
    assert again["shipments_updated"] == 0
    assert TrackingEvent.objects.count() == 90

    later = tmp_path / "later.jsonl"
    write_jsonl(later, [{"tracking_number": f"SF14098217{n:05d}", "status": "delivered",
                         "time": (start + timedelta(hours=30)).isoformat(),
                         "description": "已签收"} for n in range(5)]
                + [{"tracking_number": "SF1409821700009", "status": "picked_up",
                    "time": (start - timedelta(hours=30)).isoformat(), "description": "早"}])
    third = json.loads(run("import_tracking", str(later), "--no-progress"))
    assert (third["events_new"], third["shipments_updated"]) == (6, 5)
    assert Shipment.objects.get(tracking_number="SF1409821700003").status == "delivered"
    assert Shipment.objects.get(tracking_number="SF1409821700009").status == "out_for_delivery"


@pytest.mark.django_db
def test_import_then_push_share_the_event_key(tmp_path):
    number = "YT7000000000009"
    t = local(2026, 11, 20, 9, 0)
    path = tmp_path / "one.jsonl"
    write_jsonl(path, [{"tracking_number": number, "carrier": "yto", "source": "kuaidi100",
                        "time": t.isoformat(), "status": "picked_up", "location": "上海市",
                        "description": "【上海浦东新区公司】已揽收"}])
    run("import_tracking", str(path), "--no-progress")
    from rest_framework.test import APIClient

    body = kuaidi100_push(number, [(t, "【上海浦东新区公司】已揽收", "103", "上海市"),
                                   (t + timedelta(hours=3), "快件已发往杭州", "1002", "上海市")])
    response = APIClient().post("/api/logistics/webhooks/kuaidi100/", data=body,
                                content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert TrackingEvent.objects.filter(shipment__tracking_number=number).count() == 2
    assert Shipment.objects.get(tracking_number=number).status == "in_transit"


@pytest.mark.django_db
def test_import_tracking_missing_file():
    with pytest.raises(CommandError, match="cannot read"):
        run("import_tracking", "/nonexistent.jsonl")


@pytest.mark.django_db
def test_import_accepts_odd_but_valid_lines_like_the_plain_ones(tmp_path):
    """Plain lines take the fast path; odd ones (no carrier, no offset, numbers sent as
    numbers, spaced lower-case waybills, duplicates) the general parser — same outcome."""
    t = local(2026, 11, 20, 9, 0)
    rows = [
        {"tracking_number": "SF1409821790001", "carrier": "sf", "time": t.isoformat(),
         "status": "picked_up", "location": "上海市", "description": "已揽收", "source": "s"},
        {"tracking_number": "sf 1409 8217 9000 1", "time": "2026-11-20 12:00:00",
         "status": "in_transit", "location": "上海市", "description": "发往杭州",
         "source_code": 1002},
        {"tracking_number": "SF1409821790001", "carrier": "sf", "time": t.isoformat(),
         "status": "picked_up", "location": "上海市", "description": "已揽收", "source": "s"},
        {"tracking_number": "YT7000000000077", "carrier": "yto",
         "time": (t + timedelta(hours=1)).isoformat(), "status": "delivered",
         "location": "杭州\\市", "description": "签收\n第二行"},
    ]
    path = tmp_path / "odd.jsonl"
    write_jsonl(path, rows)
    summary = json.loads(run("import_tracking", str(path), "--no-progress"))
    assert (summary["lines"], summary["events_new"], summary["duplicates"]) == (4, 3, 1)
    sf = Shipment.objects.get(tracking_number="SF1409821790001")
    assert (sf.carrier, sf.status) == ("sf", "in_transit")
    assert sf.last_event_at == local(2026, 11, 20, 12, 0)
    event = TrackingEvent.objects.get(shipment=sf, status="in_transit")
    assert (event.source_code, event.source) == ("1002", "import")
    yt = TrackingEvent.objects.get(shipment__tracking_number="YT7000000000077")
    assert (yt.location, yt.description) == ("杭州\\市", "签收\n第二行")
