"""YTO (圆通) open platform: ``yto.Marketing.WaybillTrace`` query responses.

No official public YTO doc was found through the search tool. Shapes follow the public
SDK code in wangdingfeng/spark-platform:
- spark-common/spark-common-logistics/.../service/impl/YtoServiceImpl.java: success is a
  JSON *array* of {waybill_No, upload_Time, infoContent, processInfo}; failure is an
  object {success:"false", code, message}.
- .../model/WaybillNoModel.java: upload_Time "yyyy/MM/dd HH:mm:ss"; infoContent is one of
  GOT, ARRIVAL, DEPARTURE, PACKAGE, SENT_SCAN, INBOUND, SIGNED, FAILED.
- .../client/YtoClient.java: form POST to {api_url}waybill_query/v1/{user_id}, sign =
  upper(md5(secret + "app_key"+k+"format"+"JSON"+"method"+m+"timestamp"+t+"user_id"+u+"v"+v)).
No YTO push shape or push signature was found, so pushes are refused (verify).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlencode

from .base import (
    HttpRequest,
    ParsedPayload,
    PayloadError,
    Source,
    StatusRule,
    TrackingUpdate,
    build_event,
    finish_events,
    load_json,
    md5_hex,
    normalize_number,
    parse_time,
    register_source,
    to_bool,
    to_str,
)

INFO_RULES: dict[str, StatusRule] = {
    "GOT": ("picked_up", ""),
    "ARRIVAL": ("arrived_at_hub", ""),
    "DEPARTURE": ("in_transit", ""),
    "PACKAGE": ("in_transit", ""),
    "SENT_SCAN": ("out_for_delivery", ""),
    "INBOUND": ("available_for_pickup", ""),
    "SIGNED": ("delivered", ""),
    "FAILED": ("delivery_failed", ""),
}
METHOD = "yto.Marketing.WaybillTrace"


@register_source("yto")
class YtoSource(Source):
    secret_setting = None  # query-only

    def parse(self, body: bytes, headers: Mapping[str, str]) -> ParsedPayload:
        data = load_json(body)
        if isinstance(data, Mapping):
            if not to_bool(data.get("success")):
                raise PayloadError("source_error", f"YTO code={to_str(data.get('code'))} "
                                                   f"{to_str(data.get('message'))}")
            data = data.get("data") or []
        if not isinstance(data, list):
            raise PayloadError("malformed_payload", "YTO trace is not a list")
        groups: dict[str, list] = {}
        for row in data:
            if not isinstance(row, Mapping):
                raise PayloadError("malformed_payload", "YTO trace row is not an object")
            number = normalize_number(row.get("waybill_No"))
            if not number:
                raise PayloadError("malformed_payload", "YTO row without waybill_No")
            info = to_str(row.get("infoContent")).upper()
            rule = INFO_RULES.get(info)
            event = build_event(parse_time(row.get("upload_Time")), rule, "",
                                row.get("processInfo"), info)
            groups.setdefault(number, []).append((event, rule is not None))
        updates = []
        for number, pairs in groups.items():
            events = finish_events(pairs, None)
            status = events[-1].status
            updates.append(TrackingUpdate(number, "yto", events, status,
                                          events[-1].source_code, status == "delivered"))
        return ParsedPayload("query", updates)

    def query_request(self, tracking_number: str, carrier: str,
                      credentials: Mapping[str, str]) -> HttpRequest:
        timestamp = credentials.get("timestamp") or self.clock().strftime("%Y-%m-%d %H:%M:%S")
        app_key, user_id = credentials["app_key"], credentials["user_id"]
        version = credentials.get("v", "1.01")
        text = (f"app_key{app_key}formatJSONmethod{METHOD}timestamp{timestamp}"
                f"user_id{user_id}v{version}")
        sign = md5_hex(credentials["secret_key"] + text).upper()
        fields = {"sign": sign, "app_key": app_key, "format": "JSON", "method": METHOD,
                  "timestamp": timestamp, "user_id": user_id, "v": version,
                  "param": json.dumps([{"Number": tracking_number}], separators=(",", ":"))}
        url = f"{credentials['api_url']}waybill_query/v1/{user_id}"
        return HttpRequest("POST", url,
                           {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
                           urlencode(fields).encode())
