import hashlib
import json

import pytest

from logistics.adapters import PayloadError, get_source
from tests.logistics.test_adapters_common import (  # noqa: F401
    assert_well_formed,
    load_fixture,
)


def test_yto_array_trace_sorted_and_slash_times():
    parsed = get_source("yto").parse(load_fixture("yto", "waybill_trace.json"), {})
    assert_well_formed(parsed)
    (update,) = parsed.updates
    assert update.carrier == "yto" and update.status == "delivered" and update.delivered
    assert [e.source_code for e in update.events] == ["GOT", "SENT_SCAN", "SIGNED"]
    assert update.events[0].time.isoformat() == "2024-05-18T16:20:31+08:00"


def test_yto_error_object():
    with pytest.raises(PayloadError) as info:
        get_source("yto").parse(load_fixture("yto", "error.json"), {})
    assert info.value.code == "source_error"


def test_yunda_delivery_failure():
    parsed = get_source("yunda").parse(load_fixture("yunda", "logictis_query.json"), {})
    assert_well_formed(parsed)
    (update,) = parsed.updates
    assert update.carrier == "yunda"
    assert update.status == "delivery_failed"
    assert [e.status for e in update.events] == ["picked_up", "in_transit", "delivery_failed"]


def test_yunda_error_envelope():
    with pytest.raises(PayloadError) as info:
        get_source("yunda").parse(load_fixture("yunda", "error.json"), {})
    assert info.value.code == "source_error"


def test_yunda_request_sign():
    req = get_source("yunda").query_request("462345678901234", "yunda", {
        "app_key": "K", "app_secret": "S", "req_time": "1716201130000"})
    assert json.loads(req.body) == {"mailno": "462345678901234"}
    assert req.headers["sign"] == hashlib.md5(req.body + b"_S").hexdigest()
