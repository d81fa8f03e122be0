import hashlib
import json
from urllib.parse import parse_qs

import pytest

from logistics.adapters import PayloadError, SignatureError, get_source
from logistics.adapters.kuaidi100 import fold
from tests.logistics.test_adapters_common import (  # noqa: F401
    assert_well_formed,
    load_fixture,
)

SALT = "pd-test-salt"
SRC = get_source("kuaidi100")


def test_push_signed_delivered_trajectory():
    body = load_fixture("kuaidi100", "push_signed.txt")
    SRC.verify(body, {}, SALT)
    parsed = SRC.parse(body, {})
    assert_well_formed(parsed)
    assert parsed.kind == "push"
    (update,) = parsed.updates
    assert update.tracking_number == "YT7428136501234"
    assert update.carrier == "yto"
    assert update.delivered is True
    assert update.status == "delivered" and update.source_status == "304"
    assert [e.status for e in update.events] == [
        "picked_up", "in_transit", "arrived_at_hub", "out_for_delivery", "delivered"]
    assert [e.source_code for e in update.events][0] == "103"
    assert update.events[0].location == "上海市浦东新区"
    assert update.events[-1].description.startswith("您的快件已由")
    assert update.events[0].time.isoformat() == "2024-05-18T16:20:31+08:00"


def test_good_signature_computed_with_test_key():
    body = load_fixture("kuaidi100", "push_signed.txt")
    form = parse_qs(body.decode())
    expected = hashlib.md5((form["param"][0] + SALT).encode()).hexdigest().upper()
    assert form["sign"][0] == expected


def test_bad_signature_rejected():
    body = load_fixture("kuaidi100", "push_signed.txt")
    with pytest.raises(SignatureError):
        SRC.verify(body, {}, "wrong-salt")
    tampered = body.replace(b"YT7428136501234", b"YT7428136509999")
    with pytest.raises(SignatureError):
        SRC.verify(tampered, {}, SALT)
    unsigned = body.split(b"&sign=")[0]
    with pytest.raises(SignatureError):
        SRC.verify(unsigned, {}, SALT)


def test_push_202_stuck_exception_with_uncoded_rows():
    body = load_fixture("kuaidi100", "push_stuck.txt")
    SRC.verify(body, {}, SALT)
    (update,) = SRC.parse(body, {}).updates
    assert update.status == "exception"
    assert update.carrier == "zto"
    assert update.delivered is False
    # rows carry no statusCode: newest takes the overall state, older stay in_transit
    assert [e.status for e in update.events] == ["in_transit", "exception"]
    assert update.events[-1].exception_reason == "stuck"


def test_query_response_return_trajectory_sorted():
    parsed = SRC.parse(load_fixture("kuaidi100", "query_returned.json"), {})
    assert_well_formed(parsed)
    assert parsed.kind == "query"
    (update,) = parsed.updates
    assert update.carrier == "sf"
    assert update.status == "returned"
    assert [e.status for e in update.events] == ["picked_up", "exception", "returned"]
    assert update.events[1].exception_reason == "refused"
    assert update.events[0].location == ""


def test_error_envelope_is_source_error():
    with pytest.raises(PayloadError) as info:
        SRC.parse(load_fixture("kuaidi100", "error.json"), {})
    assert info.value.code == "source_error"


def test_push_without_param_is_malformed():
    with pytest.raises(PayloadError) as info:
        SRC.parse(b"sign=ABC", {})
    assert info.value.code == "malformed_payload"


@pytest.mark.parametrize("code,parent", [("1001", "0"), ("1401", "14"), ("501", "5"),
                                         ("202", "2"), ("3", "3")])
def test_sub_codes_fold_to_parent(code, parent):
    assert fold(code) == parent


def test_ack_bodies_exact():
    ok = SRC.ack(None)
    assert ok.status == 200
    assert ok.body == '{"result":true,"returnCode":"200","message":"成功"}'.encode()
    failed = json.loads(SRC.ack(None, PayloadError("malformed_payload")).body)
    assert failed["result"] is False


def test_query_request_signs_param_key_customer():
    req = SRC.query_request("YT7428136501234", "yuantong", {"customer": "C1", "key": "K1"})
    form = parse_qs(req.body.decode())
    assert req.method == "POST" and req.url.endswith("/poll/query.do")
    expected = hashlib.md5((form["param"][0] + "K1" + "C1").encode()).hexdigest().upper()
    assert form["sign"][0] == expected
