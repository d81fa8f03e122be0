"""Contract tests shared by every adapter, plus the fixture loader the other files use."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from logistics.adapters import (
    EXCEPTION_REASONS,
    STATUSES,
    ParsedPayload,
    PayloadError,
    SignatureError,
    TrackingEvent,
    UnknownSource,
    all_sources,
    get_source,
)
from logistics.adapters.base import SHANGHAI, parse_time, to_str

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "logistics"
EXPECTED = {"kuaidi100", "kdniao", "17track", "aftership", "sf", "cainiao", "yto", "yunda"}


def load_fixture(source: str, name: str) -> bytes:
    return (FIXTURES / source / name).read_bytes()


def assert_well_formed(parsed: ParsedPayload) -> None:
    assert parsed.kind in ("push", "query")
    for update in parsed.updates:
        assert update.tracking_number == update.tracking_number.upper()
        assert " " not in update.tracking_number
        assert update.status in STATUSES or update.status == ""
        times = [event.time for event in update.events]
        assert times == sorted(times), "events must be oldest first"
        for event in update.events:
            assert event.time.tzinfo is not None
            assert event.status in STATUSES
            assert event.exception_reason in EXCEPTION_REASONS or event.exception_reason == ""


def test_all_sources_registered():
    assert set(all_sources()) == EXPECTED
    for code in EXPECTED:
        assert get_source(code).code == code


def test_unknown_source_raises_keyerror_subclass():
    with pytest.raises(UnknownSource):
        get_source("nope")
    with pytest.raises(KeyError):
        get_source("nope")


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_malformed_body_gives_stable_code(code):
    with pytest.raises(PayloadError) as info:
        get_source(code).parse(b"{not json", {})
    assert info.value.code == "malformed_payload"


@pytest.mark.parametrize("code", ["cainiao", "yto", "yunda"])
def test_query_only_sources_refuse_pushes(code):
    with pytest.raises(SignatureError) as info:
        get_source(code).verify(b"{}", {}, "secret")
    assert info.value.code == "unsupported"


def test_parse_time_naive_is_shanghai_and_offsets_kept():
    naive = parse_time("2024-05-20 18:32:10")
    assert naive.tzinfo == SHANGHAI
    assert naive.utcoffset() == timedelta(hours=8)
    assert parse_time("2024/05/20 18:32:10") == naive
    assert parse_time("2024-05-20T10:32:10Z") == naive
    assert parse_time("2024-05-20T12:32:10+02:00") == naive


def test_to_str_handles_numbers_sent_either_way():
    assert to_str(3) == "3"
    assert to_str(3.0) == "3"
    assert to_str(" 3 ") == "3"
    assert to_str(None) == ""


def test_tracking_event_rejects_naive_time_and_unknown_status():
    with pytest.raises(ValueError):
        TrackingEvent(datetime(2024, 1, 1), "delivered", "", "")
    with pytest.raises(ValueError):
        TrackingEvent(datetime(2024, 1, 1, tzinfo=SHANGHAI), "signed", "", "")
