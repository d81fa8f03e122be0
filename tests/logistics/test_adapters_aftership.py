import base64
import hashlib
import hmac

import pytest

from logistics.adapters import PayloadError, SignatureError, get_source
from tests.logistics.test_adapters_common import (  # noqa: F401
    assert_well_formed,
    load_fixture,
)

SECRET = "pd-test-webhook-secret"
SRC = get_source("aftership")


def sign(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


def test_hmac_header_good_and_bad():
    body = load_fixture("aftership", "webhook_delivered.json")
    SRC.verify(body, {"AfterShip-Hmac-Sha256": sign(body)}, SECRET)
    with pytest.raises(SignatureError):
        SRC.verify(body, {"aftership-hmac-sha256": sign(b"other")}, SECRET)
    with pytest.raises(SignatureError):
        SRC.verify(body, {}, SECRET)


def test_webhook_delivered_sorted():
    parsed = SRC.parse(load_fixture("aftership", "webhook_delivered.json"), {})
    assert_well_formed(parsed)
    (update,) = parsed.updates
    assert parsed.kind == "push" and parsed.meta["event"] == "tracking_update"
    assert update.carrier == "sf"
    assert update.status == "delivered" and update.delivered
    assert [e.status for e in update.events] == ["in_transit", "out_for_delivery", "delivered"]
    assert update.events[-1].location == "深圳市南山区"
    assert update.events[0].location == "Shanghai, CHN"


def test_tracking_returned_naive_checkpoint_times():
    parsed = SRC.parse(load_fixture("aftership", "tracking_returned.json"), {})
    assert_well_formed(parsed)
    (update,) = parsed.updates
    assert parsed.kind == "query"
    assert update.carrier == "yto"
    assert update.status == "returned" and update.source_status == "Exception_011"
    assert [e.status for e in update.events] == ["in_transit", "exception", "returned"]
    assert update.events[1].exception_reason == "refused"
    assert update.events[0].time.isoformat() == "2024-06-30T08:00:00+08:00"


def test_error_envelope():
    with pytest.raises(PayloadError) as info:
        SRC.parse(load_fixture("aftership", "error.json"), {})
    assert info.value.code == "source_error"


def test_ack_is_2xx():
    assert SRC.ack(None).status == 200
