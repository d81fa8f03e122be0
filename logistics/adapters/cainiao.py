"""Cainiao / Taobao TOP ``taobao.logistics.trace.search`` responses (JSON or XML).

Shapes from:
- Taobao API doc sample (copied at https://blog.csdn.net/QQ569893796/article/details/129793366
  for the sibling taobao.logistics.trace.get): out_sid, company_name, tid (a number),
  status (Chinese text such as 已签收), trace_list.transit_step_info[status_time,
  status_desc, action]; error ``error_response{code, msg, sub_code, sub_msg}``.
- TaobaoSDK::LogisticsTraceSearchResponse (rubydoc taobaoSDK) for the response name
  ``logistics_trace_search_response``.
- Only the action value ``ARRIVE`` appears in the doc sample. The other action codes
  mapped below (GOT, SEND/DEPARTURE, SENT_SCAN, SIGNED, FAILED, TMS_RETURN, …) follow the
  Cainiao/YTO action vocabulary seen in public code and are NOT confirmed by a TOP doc.
- This API is query-only (no push). TOP request signing: sign = upper(md5(secret +
  concatenated sorted key+value pairs + secret)), sign_method=md5.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from ..carriers import detect_carrier
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
    parse_xml,
    register_source,
    to_str,
)

ACTION_RULES: dict[str, StatusRule] = {
    "CREATE": ("created", ""),
    "CONSIGN": ("created", ""),
    "GOT": ("picked_up", ""),
    "ACCEPT": ("picked_up", ""),
    "ARRIVE": ("arrived_at_hub", ""),
    "ARRIVAL": ("arrived_at_hub", ""),
    "SEND": ("in_transit", ""),
    "DEPARTURE": ("in_transit", ""),
    "TRANSPORT": ("in_transit", ""),
    "SENT_SCAN": ("out_for_delivery", ""),
    "DELIVERING": ("out_for_delivery", ""),
    "STA_INBOUND": ("available_for_pickup", ""),
    "INBOUND": ("available_for_pickup", ""),
    "SIGNED": ("delivered", ""),
    "AGENT_SIGN": ("delivered", ""),
    "STA_SIGN": ("delivered", ""),
    "FAILED": ("delivery_failed", ""),
    "REJECT": ("exception", "refused"),
    "TMS_RETURN": ("returned", ""),
    "RETURN": ("returned", ""),
    "LOST": ("exception", "lost"),
}
# The overall ``status`` is free Chinese text; only these exact values are mapped.
STATUS_TEXT_RULES: dict[str, StatusRule] = {
    "已签收": ("delivered", ""),
    "已揽收": ("picked_up", ""),
    "运输中": ("in_transit", ""),
    "派送中": ("out_for_delivery", ""),
}

RESPONSE = "logistics_trace_search_response"


def _from_xml(text: str) -> Mapping:
    root = parse_xml(text)
    if root.tag == "error_response":
        return {"error_response": {child.tag: child.text or "" for child in root}}
    if root.tag != RESPONSE:
        raise PayloadError("malformed_payload", f"unexpected XML root {root.tag}")
    body: dict = {child.tag: (child.text or "") for child in root if len(child) == 0}
    steps = [{leaf.tag: leaf.text or "" for leaf in step}
             for step in root.iter("transit_step_info")]
    body["trace_list"] = {"transit_step_info": steps}
    return {RESPONSE: body}


def _update(body: Mapping) -> TrackingUpdate:
    number = normalize_number(body.get("out_sid"))
    if not number:
        raise PayloadError("malformed_payload", "trace.search response without out_sid")
    steps = (body.get("trace_list") or {}).get("transit_step_info") or []
    if isinstance(steps, Mapping):  # a single step can come back as an object
        steps = [steps]
    text = to_str(body.get("status"))
    overall = STATUS_TEXT_RULES.get(text)
    pairs = []
    for step in steps:
        action = to_str(step.get("action")).upper()
        rule = ACTION_RULES.get(action)
        event = build_event(parse_time(step.get("status_time")), rule, "",
                            step.get("status_desc"), action)
        pairs.append((event, rule is not None))
    events = finish_events(pairs, overall)
    status = overall[0] if overall else (events[-1].status if events else "")
    return TrackingUpdate(
        tracking_number=number,
        carrier=detect_carrier(number) or "",
        events=events,
        status=status,
        source_status=text,
        delivered=status == "delivered",
    )


@register_source("cainiao")
class CainiaoSource(Source):
    secret_setting = None  # query-only: no push to verify

    def parse(self, body: bytes, headers: Mapping[str, str]) -> ParsedPayload:
        stripped = body.strip()
        if stripped.startswith(b"<"):
            obj = _from_xml(stripped.decode("utf-8", "replace"))
        else:
            obj = load_json_object(stripped)
        if "error_response" in obj:
            err = obj["error_response"] or {}
            raise PayloadError("source_error", f"TOP {to_str(err.get('code'))} "
                                               f"{to_str(err.get('sub_code'))} "
                                               f"{to_str(err.get('sub_msg') or err.get('msg'))}")
        body_obj = obj.get(RESPONSE)
        if not isinstance(body_obj, Mapping):
            raise PayloadError("malformed_payload", f"missing {RESPONSE}")
        return ParsedPayload("query", [_update(body_obj)])

    def query_request(self, tracking_number: str, carrier: str,
                      credentials: Mapping[str, str]) -> HttpRequest:
        """TOP call by trade id: needs credentials tid and seller_nick, not the waybill."""
        params = {
            "method": "taobao.logistics.trace.search",
            "app_key": credentials["app_key"],
            "timestamp": credentials.get("timestamp")
            or self.clock().strftime("%Y-%m-%d %H:%M:%S"),
            "format": "json",
            "v": "2.0",
            "sign_method": "md5",
            "tid": credentials["tid"],
            "seller_nick": credentials["seller_nick"],
        }
        if credentials.get("session"):
            params["session"] = credentials["session"]
        secret = credentials["app_secret"]
        joined = "".join(f"{k}{params[k]}" for k in sorted(params))
        params["sign"] = md5_hex(secret + joined + secret).upper()
        return HttpRequest("POST", "https://eco.taobao.com/router/rest",
                           {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
                           urlencode(params).encode())
