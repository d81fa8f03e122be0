import pytest

from logistics.adapters import PayloadError, get_source
from tests.logistics.test_adapters_common import (  # noqa: F401
    assert_well_formed,
    load_fixture,
)

SRC = get_source("cainiao")


def test_json_trace_search_delivered_sorted():
    parsed = SRC.parse(load_fixture("cainiao", "trace_search.json"), {})
    assert_well_formed(parsed)
    (update,) = parsed.updates
    assert update.tracking_number == "75312345678901" and update.carrier == "zto"
    assert update.status == "delivered" and update.delivered
    assert [e.source_code for e in update.events] == ["GOT", "ARRIVE", "SIGNED"]


def test_xml_trace_search():
    parsed = SRC.parse(load_fixture("cainiao", "trace_search.xml"), {})
    assert_well_formed(parsed)
    (update,) = parsed.updates
    assert update.status == "out_for_delivery"
    assert [e.status for e in update.events] == ["arrived_at_hub", "out_for_delivery"]


def test_error_response():
    with pytest.raises(PayloadError) as info:
        SRC.parse(load_fixture("cainiao", "error.json"), {})
    assert info.value.code == "source_error"
    assert "isv.invalid-parameter" in info.value.message


def test_top_request_signature():
    req = SRC.query_request("75312345678901", "zto", {
        "app_key": "12345678", "app_secret": "s", "tid": "3147029749005308888",
        "seller_nick": "shop", "timestamp": "2024-05-20 12:00:00"})
    assert b"sign=" in req.body and b"method=taobao.logistics.trace.search" in req.body
