import base64
import hashlib
import json
from datetime import datetime
from urllib.parse import parse_qs

import pytest

from logistics.adapters import PayloadError, SignatureError, get_source
from logistics.adapters.base import SHANGHAI
from tests.logistics.test_adapters_common import (  # noqa: F401
    assert_well_formed,
    load_fixture,
)

APP_KEY = "pd-test-appkey"
SRC = get_source("kdniao")


def test_push_signature_good_and_bad():
    body = load_fixture("kdniao", "push_101.txt")
    form = parse_qs(body.decode())
    digest = hashlib.md5((form["RequestData"][0] + APP_KEY).encode()).hexdigest()
    assert form["DataSign"][0] == base64.b64encode(digest.encode()).decode()
    SRC.verify(body, {}, APP_KEY)
    with pytest.raises(SignatureError):
        SRC.verify(body, {}, "other-key")
    with pytest.raises(SignatureError):
        SRC.verify(body.replace(b"RequestType=101", b"RequestType=101&x=1").replace(
            b"%E5%B7%B2%E7%AD%BE%E6%94%B6", b"%E6%9C%AA%E7%AD%BE%E6%94%B6"), {}, APP_KEY)


def test_push_batch_signed_and_exception():
    parsed = SRC.parse(load_fixture("kdniao", "push_101.txt"), {})
    assert_well_formed(parsed)
    assert parsed.kind == "push"
    assert parsed.meta["EBusinessID"] == "1237100"
    signed, overdue = parsed.updates
    assert signed.tracking_number == "YT7428136501234" and signed.carrier == "yto"
    assert signed.status == "delivered" and signed.delivered
    # out-of-order trace (21:05 listed after 22:40 the next day) is sorted
    assert [e.source_code for e in signed.events] == ["1", "2", "204", "202", "301"]
    assert [e.status for e in signed.events] == [
        "picked_up", "in_transit", "arrived_at_hub", "out_for_delivery", "delivered"]
    assert signed.events[0].time == datetime(2024, 5, 18, 16, 20, 31, tzinfo=SHANGHAI)
    assert overdue.carrier == "zto"
    assert overdue.status == "exception" and overdue.source_status == "412"
    assert overdue.events[-1].exception_reason == "overdue_pickup"
    assert overdue.events[0].status == "available_for_pickup"


def test_query_8001_return():
    parsed = SRC.parse(load_fixture("kdniao", "query_8001_returned.json"), {})
    assert_well_formed(parsed)
    (update,) = parsed.updates
    assert parsed.kind == "query"
    assert update.carrier == "sf"
    assert update.status == "returned"
    assert [e.status for e in update.events] == ["picked_up", "exception", "returned"]
    assert update.events[1].exception_reason == "refused"


def test_error_envelope():
    with pytest.raises(PayloadError) as info:
        SRC.parse(load_fixture("kdniao", "error.json"), {})
    assert info.value.code == "source_error"
    assert "单号不存在" in info.value.message


def test_ack_shape():
    SRC.clock = staticmethod(lambda: datetime(2024, 5, 21, 10, 12, 40, tzinfo=SHANGHAI))
    try:
        parsed = SRC.parse(load_fixture("kdniao", "push_101.txt"), {})
        ack = json.loads(SRC.ack(parsed).body)
        assert ack == {"EBusinessID": "1237100", "UpdateTime": "2024-05-21 10:12:40",
                       "Success": True, "Reason": ""}
        failed = json.loads(SRC.ack(None, SignatureError("bad")).body)
        assert failed["Success"] is False and failed["Reason"] == "bad"
    finally:
        del SRC.clock


def test_query_request_is_signed():
    req = SRC.query_request("SF1409821733526", "SF",
                            {"ebusiness_id": "1237100", "app_key": APP_KEY})
    form = parse_qs(req.body.decode())
    assert form["RequestType"] == ["1002"]
    data = form["RequestData"][0]
    assert json.loads(data)["LogisticCode"] == "SF1409821733526"
    digest = hashlib.md5((data + APP_KEY).encode()).hexdigest()
    assert form["DataSign"][0] == base64.b64encode(digest.encode()).decode()
