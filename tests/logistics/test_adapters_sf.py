import base64
import hashlib
from urllib.parse import parse_qs, quote_plus, urlencode

import pytest

from logistics.adapters import PayloadError, SignatureError, get_source
from tests.logistics.test_adapters_common import (  # noqa: F401
    assert_well_formed,
    load_fixture,
)

CHECKWORD = "pd-test-checkword"
SRC = get_source("sf")


def test_json_route_push_groups_and_sorts():
    parsed = SRC.parse(load_fixture("sf", "push_route.json"), {})
    assert_well_formed(parsed)
    assert parsed.kind == "push" and parsed.meta["format"] == "json"
    signed, stuck = parsed.updates
    assert signed.tracking_number == "SF1409821733526" and signed.carrier == "sf"
    assert [e.source_code for e in signed.events] == ["50", "44", "80"]
    assert signed.status == "delivered" and signed.delivered
    assert stuck.status == "exception" and stuck.events[0].exception_reason == "stuck"


def test_xml_route_push_form_and_raw():
    for name in ("push_route_form.txt", "push_route.xml"):
        parsed = SRC.parse(load_fixture("sf", name), {})
        assert_well_formed(parsed)
        (update,) = parsed.updates
        assert parsed.meta["format"] == "xml"
        assert [e.status for e in update.events] == ["picked_up", "arrived_at_hub"]
        assert update.events[1].location == "深圳市"


def test_query_json_in_json_with_return():
    parsed = SRC.parse(load_fixture("sf", "query_routes.json"), {})
    assert_well_formed(parsed)
    (update,) = parsed.updates
    assert parsed.kind == "query"
    # a 签收 by the sender of a returned parcel is not "delivered"
    assert [e.status for e in update.events] == ["picked_up", "delivery_failed", "returned"]
    assert update.status == "returned" and not update.delivered


def test_query_error_envelope():
    with pytest.raises(PayloadError) as info:
        SRC.parse(load_fixture("sf", "query_error.json"), {})
    assert info.value.code == "source_error"


def test_xml_must_be_well_formed_and_safe():
    with pytest.raises(PayloadError) as info:
        SRC.parse(b"<Request service='RoutePushService'><Body>", {})
    assert info.value.code == "malformed_payload"
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
            b'<Request service="RoutePushService"><Body>&a;</Body></Request>')
    with pytest.raises(PayloadError):
        SRC.parse(bomb, {})


def test_msgdigest_good_and_bad():
    msg_data, ts = '{"routes":[]}', "1716201130000"
    digest = base64.b64encode(hashlib.md5(quote_plus(msg_data + ts + CHECKWORD).encode())
                              .digest()).decode()
    body = urlencode({"msgData": msg_data, "timestamp": ts, "msgDigest": digest}).encode()
    SRC.verify(body, {}, CHECKWORD)
    with pytest.raises(SignatureError):
        SRC.verify(body, {}, "wrong")


def test_unsigned_route_push_is_refused_by_verify():
    with pytest.raises(SignatureError) as info:
        SRC.verify(load_fixture("sf", "push_route.json"), {}, CHECKWORD)
    assert info.value.code == "unsigned"


def test_acks_follow_body_format():
    json_push = SRC.parse(load_fixture("sf", "push_route.json"), {})
    assert SRC.ack(json_push).body == '{"return_code":"0000","return_msg":"成功"}'.encode()
    assert b'"1000"' in SRC.ack(json_push, PayloadError("x")).body
    xml_push = SRC.parse(load_fixture("sf", "push_route.xml"), {})
    ok_xml = b'<Response service="RoutePushService"><Head>OK</Head></Response>'
    assert SRC.ack(xml_push).body == ok_xml
    assert b"<Head>ERR</Head>" in SRC.ack(xml_push, PayloadError("x")).body


def test_query_request_digest():
    req = SRC.query_request("SF1409821733526", "sf", {"partner_id": "P", "checkword": CHECKWORD,
                                                      "timestamp": "1716201130000"})
    form = {k: v[0] for k, v in parse_qs(req.body.decode()).items()}
    assert form["serviceCode"] == "EXP_RECE_SEARCH_ROUTES"
    raw = quote_plus(form["msgData"] + form["timestamp"] + CHECKWORD)
    assert form["msgDigest"] == base64.b64encode(hashlib.md5(raw.encode()).digest()).decode()
