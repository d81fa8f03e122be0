"""Yunda (韵达) open platform: ``/openapi/outer/logictis/query`` responses.

No official public Yunda doc was reachable through the search tool. What public code
shows (files found by the code search; repos not named by the tool):
- endpoint https://openapi.yundaex.com/openapi/outer/logictis/query (sandbox
  u-openapi.yundasys.com), JSON body {"mailno": ...}; headers app-key, req-time, sign
  with sign = lower(md5(body + "_" + app_secret)) (two independent clients agree);
- response {result, code, message, data{mailno, status, steps[{time, station,
  station_name, station_type, action, description, ...}]}}; a note in one integration
  says a waybill must be subscribed before it can be queried.
- The step ``action`` values GOT/TRANSIT/SENT/SIGNED/RETURN/SIGNFAIL come from one
  third-party mapping only; treat them as unconfirmed.
No push shape or push signature was found, so pushes are refused (verify).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .base import (
    HttpRequest,
    ParsedPayload,
    PayloadError,
    Source,
    StatusRule,
    TrackingUpdate,
    build_event,
    finish_events,
    load_json_object,
    md5_hex,
    normalize_number,
    parse_time,
    register_source,
    to_bool,
    to_str,
)

ACTION_RULES: dict[str, StatusRule] = {
    "GOT": ("picked_up", ""),
    "TRANSIT": ("in_transit", ""),
    "SENT": ("out_for_delivery", ""),
    "SIGNED": ("delivered", ""),
    "RETURN": ("returned", ""),
    "SIGNFAIL": ("delivery_failed", ""),
}


@register_source("yunda")
class YundaSource(Source):
    secret_setting = None  # query-only

    def parse(self, body: bytes, headers: Mapping[str, str]) -> ParsedPayload:
        obj = load_json_object(body)
        if not to_bool(obj.get("result")):
            raise PayloadError("source_error", f"Yunda code={to_str(obj.get('code'))} "
                                               f"{to_str(obj.get('message'))}")
        data = obj.get("data")
        if not isinstance(data, Mapping):
            raise PayloadError("malformed_payload", "Yunda response without data")
        number = normalize_number(data.get("mailno"))
        if not number:
            raise PayloadError("malformed_payload", "Yunda data without mailno")
        pairs = []
        for step in data.get("steps") or []:
            action = to_str(step.get("action")).upper()
            rule = ACTION_RULES.get(action)
            event = build_event(parse_time(step.get("time")), rule, step.get("station_name"),
                                step.get("description"), action)
            pairs.append((event, rule is not None))
        overall = ACTION_RULES.get(to_str(data.get("status")).upper())
        events = finish_events(pairs, overall)
        status = overall[0] if overall else (events[-1].status if events else "")
        update = TrackingUpdate(number, "yunda", events, status, to_str(data.get("status")),
                                status == "delivered")
        return ParsedPayload("query", [update])

    def query_request(self, tracking_number: str, carrier: str,
                      credentials: Mapping[str, str]) -> HttpRequest:
        body = json.dumps({"mailno": tracking_number}, separators=(",", ":"))
        req_time = credentials.get("req_time") or str(int(self.clock().timestamp() * 1000))
        headers = {
            "Content-Type": "application/json",
            "app-key": credentials["app_key"],
            "req-time": req_time,
            "sign": md5_hex(body + "_" + credentials["app_secret"]),
        }
        url = credentials.get("url", "https://openapi.yundaex.com/openapi/outer/logictis/query")
        return HttpRequest("POST", url, headers, body.encode())
