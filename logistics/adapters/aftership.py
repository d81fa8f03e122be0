"""AfterShip Tracking: webhook (``tracking_update``) and GET tracking responses.

Shapes from:
- Webhook body https://www.aftership.com/docs/tracking/2025-01/webhook/webhook-specifications
  (ts, event, event_id, is_tracking_first_tag, msg = the tracking object).
- Signature https://www.aftership.com/docs/tracking/webhook/webhook-signature : header
  ``aftership-hmac-sha256`` = base64(HMAC-SHA256(raw body, webhook secret)).
- Tags https://www.aftership.com/docs/tracking/2025-01/enum/delivery-statuses and
  subtags https://www.aftership.com/docs/tracking/2025-04/enum/delivery-sub-statuses
  (Delivered_001-004, AvailableForPickup_001, Exception_001-006 read in the excerpt;
  Exception_011 "returned to sender" confirmed only via public code; Exception_017
  extreme weather via https://support.aftership.com/en/article/learn-about-delivery-sub-statuses-1b0hdlx/).
  Other subtags fall back to their tag.
- Tracking/checkpoint field names (tracking_number, slug, tag, subtag, checkpoints[
  checkpoint_time, message, location, city, state, country_iso3, tag, subtag]) are the
  documented tracking object; the GET envelope ``{"meta":{"code"},"data":{"tracking"}}``
  is the legacy (v4) shape, newer versions put the tracking directly in ``data``;
  both are accepted. checkpoint_time may lack an offset -> Asia/Shanghai.
- Ack: AfterShip retries non-2xx; no body is documented, we answer 200 empty.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from ..carriers import resolve_carrier
from .base import (
    HttpRequest,
    ParsedPayload,
    PayloadError,
    Source,
    StatusRule,
    TrackingUpdate,
    b64,
    build_event,
    finish_events,
    header,
    load_json_object,
    lookup_status,
    normalize_number,
    parse_time,
    register_source,
    require_signature,
    to_str,
)

TAG_RULES: dict[str, StatusRule] = {
    "InfoReceived": ("created", ""),
    "InTransit": ("in_transit", ""),
    "InTransit_007": ("in_transit", ""),  # departure scan
    "OutForDelivery": ("out_for_delivery", ""),
    "AttemptFail": ("delivery_failed", ""),
    "Delivered": ("delivered", ""),
    "AvailableForPickup": ("available_for_pickup", ""),
    "Exception": ("exception", ""),
    "Exception_002": ("exception", "address"),  # customer moved
    "Exception_003": ("exception", "refused"),  # customer refused delivery
    "Exception_004": ("exception", "customs"),  # delayed (customs clearance)
    "Exception_005": ("exception", "stuck"),  # delayed (external factors)
    "Exception_011": ("returned", ""),  # returned to sender
    "Exception_017": ("exception", "weather"),  # delayed (extreme weather)
    "Expired": ("exception", "stuck"),
}


def fold(code: str) -> str:
    return code.split("_", 1)[0]


def _rule(tag: str, subtag: str) -> StatusRule | None:
    if subtag:
        found = lookup_status(TAG_RULES, subtag, fold)
        if found:
            return found
    return lookup_status(TAG_RULES, tag)


def _location(cp: Mapping) -> str:
    if to_str(cp.get("location")):
        return to_str(cp.get("location"))
    parts = [to_str(cp.get(k)) for k in ("city", "state", "country_iso3")]
    return ", ".join(p for p in parts if p)


def tracking_update(tracking: Mapping) -> TrackingUpdate:
    number = normalize_number(tracking.get("tracking_number"))
    if not number:
        raise PayloadError("malformed_payload", "AfterShip tracking without tracking_number")
    tag, subtag = to_str(tracking.get("tag")), to_str(tracking.get("subtag"))
    overall = _rule(tag, subtag)
    pairs = []
    for cp in tracking.get("checkpoints") or []:
        if not isinstance(cp, Mapping):
            raise PayloadError("malformed_payload", "AfterShip checkpoint is not an object")
        cp_tag, cp_sub = to_str(cp.get("tag")), to_str(cp.get("subtag"))
        rule = _rule(cp_tag, cp_sub)
        event = build_event(parse_time(cp.get("checkpoint_time")), rule, _location(cp),
                            cp.get("message"), cp_sub or cp_tag)
        pairs.append((event, rule is not None))
    status = overall[0] if overall else ""
    return TrackingUpdate(
        tracking_number=number,
        carrier=resolve_carrier("aftership", tracking.get("slug"), number),
        events=finish_events(pairs, overall),
        status=status,
        source_status=subtag or tag,
        delivered=status == "delivered",
    )


@register_source("aftership")
class AfterShipSource(Source):
    secret_setting = "AFTERSHIP_WEBHOOK_SECRET"

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> None:
        digest = b64(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest())
        require_signature(digest, header(headers, "aftership-hmac-sha256"),
                          "aftership-hmac-sha256 header")

    def parse(self, body: bytes, headers: Mapping[str, str]) -> ParsedPayload:
        obj = load_json_object(body)
        if "msg" in obj and "event" in obj:
            msg = obj.get("msg")
            if not isinstance(msg, Mapping):
                raise PayloadError("malformed_payload", "AfterShip webhook without msg")
            meta = {"event": to_str(obj.get("event")), "event_id": to_str(obj.get("event_id"))}
            return ParsedPayload("push", [tracking_update(msg)], meta=meta)
        meta_block = obj.get("meta")
        if isinstance(meta_block, Mapping) and to_str(meta_block.get("code")) not in ("200", "201"):
            raise PayloadError(
                "source_error",
                f"AfterShip meta.code={to_str(meta_block.get('code'))} "
                f"{to_str(meta_block.get('message'))}",
            )
        data = obj.get("data")
        if not isinstance(data, Mapping):
            raise PayloadError("malformed_payload", "AfterShip response without data")
        if isinstance(data.get("trackings"), list):  # list endpoint
            return ParsedPayload("query", [tracking_update(t) for t in data["trackings"]])
        tracking = data.get("tracking") if isinstance(data.get("tracking"), Mapping) else data
        return ParsedPayload("query", [tracking_update(tracking)])

    def query_request(self, tracking_number: str, carrier: str,
                      credentials: Mapping[str, str]) -> HttpRequest:
        """GET /tracking/{version}/trackings?tracking_numbers=… with header as-api-key."""
        from urllib.parse import urlencode

        version = credentials.get("version", "2025-01")
        query = urlencode({"tracking_numbers": tracking_number, "slug": carrier})
        return HttpRequest(
            "GET", f"https://api.aftership.com/tracking/{version}/trackings?{query}",
            {"as-api-key": credentials["api_key"], "Content-Type": "application/json"},
        )
