"""The adapter contract shared by every tracking source, plus small shared helpers.

Pure Python (stdlib + defusedxml). Nothing here imports Django, so adapters can be
tested without a database. Each source module documents where its payload shapes
came from in its module docstring.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

STATUSES = (
    "created",
    "picked_up",
    "in_transit",
    "arrived_at_hub",
    "customs",
    "out_for_delivery",
    "available_for_pickup",
    "delivered",
    "delivery_failed",
    "exception",
    "returned",
)
EXCEPTION_REASONS = (
    "stuck",
    "lost",
    "damaged",
    "weather",
    "address",
    "customs",
    "refused",
    "unreachable",
    "overdue_pickup",
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class TrackingEvent:
    time: datetime  # timezone-aware
    status: str  # one of STATUSES
    location: str  # "" when unknown
    description: str  # the source's text verbatim
    source_code: str = ""  # the source's own status/op code(s) for this event
    exception_reason: str = ""  # one of EXCEPTION_REASONS or ""

    def __post_init__(self) -> None:
        if self.time.tzinfo is None:
            raise ValueError("TrackingEvent.time must be timezone-aware")
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.exception_reason and self.exception_reason not in EXCEPTION_REASONS:
            raise ValueError(f"unknown exception reason {self.exception_reason!r}")


@dataclass
class TrackingUpdate:  # one parcel's data in one payload
    tracking_number: str  # normalised (upper case, no spaces)
    carrier: str  # our carrier code or "" if unknown
    events: list[TrackingEvent]  # oldest first
    status: str = ""  # the source's overall status normalised, "" if none
    source_status: str = ""  # the source's overall code verbatim
    delivered: bool = False


@dataclass
class ParsedPayload:
    kind: str  # "push" or "query"
    updates: list[TrackingUpdate]
    # Envelope facts an acknowledgement may need (e.g. kdniao EBusinessID, sf body format).
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ack:  # the HTTP answer the source documents for a push
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class HttpRequest:  # an outgoing polling request, built per the source's docs
    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""


class PayloadError(Exception):
    """A body that cannot be turned into tracking data. ``code`` is stable."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class SignatureError(Exception):
    """The push's signature is missing, wrong, or the source signs nothing we can check."""

    def __init__(self, message: str = "bad signature", code: str = "bad_signature") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class UnknownSource(KeyError):
    pass


# ---------------------------------------------------------------------------- helpers


def to_str(value: Any) -> str:
    """Numbers sent as strings, strings sent as numbers, nulls: all become stripped str."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def to_bool(value: Any) -> bool:
    return to_str(value).lower() in ("1", "true", "yes", "y")


def normalize_number(value: Any) -> str:
    return re.sub(r"[\s\-]", "", to_str(value)).upper()


_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y%m%d%H%M%S",
)


def parse_time(value: Any, tz: ZoneInfo = SHANGHAI) -> datetime:
    """Parse a source timestamp; times without a zone are local to ``tz`` (Asia/Shanghai).

    Accepts ISO 8601 with an offset or ``Z``, the usual Chinese ``YYYY-MM-DD HH:MM:SS``
    forms (dashes or slashes), and epoch seconds/milliseconds given as numbers.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    text = to_str(value)
    if not text:
        raise PayloadError("malformed_payload", "missing event time")
    iso = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
        for fmt in _NAIVE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            raise PayloadError("malformed_payload", f"unparseable time {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def sorted_events(events: Iterable[TrackingEvent]) -> list[TrackingEvent]:
    """Oldest first; stable, so equal timestamps keep the source's relative order."""
    return sorted(events, key=lambda e: e.time)


StatusRule = tuple[str, str]  # (status, exception_reason)


def lookup_status(table: Mapping[str, StatusRule], code: str, fold: Callable[[str], str]
                  | None = None) -> StatusRule | None:
    """Look a source code up in ``table``; if absent, try ``fold(code)`` (its parent)."""
    if code in table:
        return table[code]
    if fold is not None:
        parent = fold(code)
        if parent and parent != code and parent in table:
            return table[parent]
    return None


def finish_events(pairs: Iterable[tuple[TrackingEvent, bool]],
                  overall: StatusRule | None) -> list[TrackingEvent]:
    """Sort (event, had_own_code) pairs oldest-first and settle the uncoded ones."""
    ordered = sorted(pairs, key=lambda pair: pair[0].time)
    events = [event for event, _ in ordered]
    untyped = {i for i, (_, typed) in enumerate(ordered) if not typed}
    if overall:
        settle_untyped(events, untyped, overall[0], overall[1])
    return events


def build_event(
    time: datetime,
    rule: StatusRule | None,
    location: Any,
    description: Any,
    source_code: str = "",
    default: str = "in_transit",
) -> TrackingEvent:
    status, reason = rule if rule else (default, "")
    return TrackingEvent(
        time=time,
        status=status,
        location=to_str(location),
        description=to_str(description),
        source_code=source_code,
        exception_reason=reason,
    )


def settle_untyped(events: list[TrackingEvent], untyped: set[int], overall: str,
                   reason: str = "") -> list[TrackingEvent]:
    """Sources whose events carry no per-event code get one shared rule.

    Documented choice: the newest untyped event takes the parcel's overall status (the
    source asserts that status *now*); older untyped events stay ``in_transit``. This
    avoids guessing statuses from free Chinese text.
    """
    if not events or not overall:
        return events
    newest = len(events) - 1
    if newest in untyped:
        last = events[newest]
        events[newest] = TrackingEvent(
            last.time, overall, last.location, last.description, last.source_code,
            reason if overall == "exception" else "",
        )
    return events


def header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def load_json(body: bytes | str) -> Any:
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError("malformed_payload", f"invalid JSON: {exc}") from None


def load_json_object(body: bytes | str) -> dict[str, Any]:
    data = load_json(body)
    if not isinstance(data, dict):
        raise PayloadError("malformed_payload", "expected a JSON object")
    return data


def parse_form(body: bytes) -> dict[str, str]:
    """application/x-www-form-urlencoded body → first value of each field (UTF-8)."""
    return dict(_parse_form(bytes(body)))


@lru_cache(maxsize=16)
def _parse_form(body: bytes) -> tuple[tuple[str, str], ...]:
    # verify() and parse() of one push both read the form; unquoting a few KB of %-encoded
    # Chinese is the costliest step of a push, so the last few bodies are remembered.
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("malformed_payload", "form body is not UTF-8") from None
    try:
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        raise PayloadError("malformed_payload", "not a form-encoded body") from None
    return tuple((key, values[0]) for key, values in fields.items())


def looks_like_form(body: bytes) -> bool:
    head = body.lstrip()[:1]
    return bool(head) and head not in (b"{", b"[", b"<")


def parse_xml(text: str | bytes):
    try:
        return SafeET.fromstring(text)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise PayloadError("malformed_payload", f"invalid XML: {exc}") from None


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def require_signature(expected: str, given: str, what: str) -> None:
    if not given:
        raise SignatureError(f"missing {what}", code="missing_signature")
    if not same(expected, given):
        raise SignatureError(f"{what} does not match")


def json_ack(obj: Any, status: int = 200) -> Ack:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Ack(status, "application/json; charset=utf-8", body)


def shanghai_now() -> datetime:
    return datetime.now(SHANGHAI)


# ---------------------------------------------------------------------------- sources


class Source:
    """Base class: one tracking-data source (aggregator, carrier platform)."""

    code: str = ""
    secret_setting: str | None = None
    clock: Callable[[], datetime] = staticmethod(shanghai_now)

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> None:
        raise SignatureError(
            f"{self.code} documents no push we accept; refuse unsigned pushes",
            code="unsupported",
        )

    def parse(self, body: bytes, headers: Mapping[str, str]) -> ParsedPayload:
        raise NotImplementedError

    def ack(self, parsed: ParsedPayload | None, error: Exception | None = None) -> Ack:
        if error is None:
            return Ack(200, "text/plain; charset=utf-8", b"")
        return Ack(400, "text/plain; charset=utf-8", str(error).encode("utf-8"))

    def query_request(self, tracking_number: str, carrier: str,
                      credentials: Mapping[str, str]) -> HttpRequest:
        raise NotImplementedError(f"{self.code} has no documented query API here")


_REGISTRY: dict[str, type[Source]] = {}


def register_source(code: str) -> Callable[[type[Source]], type[Source]]:
    def decorate(cls: type[Source]) -> type[Source]:
        if code in _REGISTRY and _REGISTRY[code] is not cls:
            raise ValueError(f"source {code!r} registered twice")
        cls.code = code
        _REGISTRY[code] = cls
        return cls

    return decorate


def get_source(code: str) -> Source:
    try:
        return _REGISTRY[code]()
    except KeyError:
        raise UnknownSource(code) from None


def all_sources() -> dict[str, type[Source]]:
    return dict(_REGISTRY)
