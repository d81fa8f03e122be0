"""Tracking-source adapters. Importing this package registers every source."""

from . import aftership, cainiao, kdniao, kuaidi100, sf, track17, yto, yunda  # noqa: F401
from .base import (
    EXCEPTION_REASONS,
    STATUSES,
    Ack,
    HttpRequest,
    ParsedPayload,
    PayloadError,
    SignatureError,
    Source,
    TrackingEvent,
    TrackingUpdate,
    UnknownSource,
    all_sources,
    get_source,
    register_source,
)

__all__ = [
    "EXCEPTION_REASONS",
    "STATUSES",
    "Ack",
    "HttpRequest",
    "ParsedPayload",
    "PayloadError",
    "SignatureError",
    "Source",
    "TrackingEvent",
    "TrackingUpdate",
    "UnknownSource",
    "all_sources",
    "get_source",
    "register_source",
]
