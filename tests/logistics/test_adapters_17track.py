import hashlib
import json

import pytest

from logistics.adapters import PayloadError, SignatureError, get_source
from tests.logistics.test_adapters_common import (  # noqa: F401
    assert_well_formed,
    load_fixture,
)

KEY = "pd-test-security-key"
SRC = get_source("17track")


def sign(body: bytes) -> str:
    return hashlib.sha256(body + b"/" + KEY.encode()).hexdigest()


def test_signature_header_case_insensitive_and_bad():
    body = load_fixture("17track", "push_updated.json")
    SRC.verify(body, {"Sign": sign(body)}, KEY)
    SRC.verify(body, {"sign": sign(body)}, KEY)
    with pytest.raises(SignatureError):
        SRC.verify(body, {"sign": sign(body + b" ")}, KEY)
    with pytest.raises(SignatureError):
        SRC.verify(body, {}, KEY)


def test_tracking_updated_delivered_sorted():
    parsed = SRC.parse(load_fixture("17track", "push_updated.json"), {})
    assert_well_formed(parsed)
    assert parsed.kind == "push" and parsed.meta["event"] == "TRACKING_UPDATED"
    (update,) = parsed.updates
    assert update.tracking_number == "EA123456785CN"
    assert update.carrier == "ems"  # numeric carrier 3013 sent as a JSON number
    assert update.status == "delivered" and update.delivered
    assert [e.status for e in update.events] == [
        "picked_up", "arrived_at_hub", "out_for_delivery", "delivered"]
    assert update.events[-1].time.isoformat() == "2024-05-20T18:32:10+08:00"


def test_tracking_stopped_has_no_events():
    parsed = SRC.parse(load_fixture("17track", "push_stopped.json"), {})
    (update,) = parsed.updates
    assert parsed.meta["event"] == "TRACKING_STOPPED"
    assert update.events == [] and update.status == ""


def test_gettrackinfo_returning_naive_times_are_shanghai():
    parsed = SRC.parse(load_fixture("17track", "gettrackinfo_returning.json"), {})
    assert_well_formed(parsed)
    (update,) = parsed.updates
    assert parsed.kind == "query"
    assert update.carrier == "sf"
    assert update.status == "returned" and update.source_status == "Exception_Returning"
    assert [e.status for e in update.events] == ["picked_up", "delivery_failed", "returned"]
    assert update.events[1].exception_reason == "refused"
    assert update.events[0].time.isoformat() == "2024-06-30T08:00:00+08:00"


def test_all_rejected_is_source_error():
    with pytest.raises(PayloadError) as info:
        SRC.parse(load_fixture("17track", "gettrackinfo_rejected.json"), {})
    assert info.value.code == "source_error"


def test_nonzero_code_is_source_error():
    with pytest.raises(PayloadError) as info:
        SRC.parse(json.dumps({"code": -18010002, "data": {}}).encode(), {})
    assert info.value.code == "source_error"


def test_query_request():
    req = SRC.query_request("EA123456785CN", "3013", {"token": "T"})
    assert req.headers["17token"] == "T"
    assert json.loads(req.body) == [{"number": "EA123456785CN", "carrier": 3013}]
