"""kdniao (快递鸟): instant query 1002 / 8001 responses and trace push 101 / 102.

Shapes from:
- bububa/kdniao model/trace_data.go (TracingData: EBusinessID, OrderCode, ShipperCode,
  LogisticCode, Success, Reason, State, StateEx, Location, Traces[AcceptTime,
  AcceptStation, Remark, Location, Action], CallBack, EstimatedDeliveryTime),
  model/push.go (EBusinessID, PushTime, Count — a string —, Data[]),
  model/request.go (DataSign = base64(md5_hex_lower(RequestData + AppKey)); the form
  values are URL-encoded on the wire), config/const.go (State 0-4, RequestType 101).
- Push (增值版 102) doc copy https://apifox.com/apidoc/docs-site/2538027/doc-2283185
  and the push-interface write-up https://www.shuzhiduo.com/A/MyJxpNMeJn : form fields
  RequestData (URL-encoded JSON), RequestType (101/102), DataSign.
- Ack: wannvmi/Kdniao.Core src/Kdniao.Core/KdniaoNotifyClient.cs + KdniaoNotifyResult.cs
  (EBusinessID, UpdateTime "yyyy-MM-dd HH:mm:ss", Success, Reason; HTTP 200 JSON).
- StateEx codes 1..604 and 10 from the 增值版 list (doc copy above plus the fuller list in
  a public kdniao pydantic model found by the code search; repo not named by the tool).
Query responses list Traces oldest first per the doc, but we sort anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from ..carriers import resolve_carrier
from .base import (
    Ack,
    HttpRequest,
    ParsedPayload,
    PayloadError,
    Source,
    StatusRule,
    TrackingUpdate,
    b64,
    build_event,
    finish_events,
    json_ack,
    load_json_object,
    lookup_status,
    md5_hex,
    normalize_number,
    parse_form,
    parse_time,
    register_source,
    require_signature,
    to_bool,
    to_str,
)

STATE_RULES: dict[str, StatusRule] = {
    "1": ("picked_up", ""),
    "2": ("in_transit", ""),
    "201": ("arrived_at_hub", ""),  # 到达派件城市
    "202": ("out_for_delivery", ""),  # 派件中
    "204": ("arrived_at_hub", ""),  # 到达转运中心
    "205": ("arrived_at_hub", ""),  # 到达派件网点
    "206": ("in_transit", ""),  # 寄件网点发件
    "211": ("available_for_pickup", ""),  # 已放入快递柜或驿站
    "3": ("delivered", ""),
    "301": ("delivered", ""),
    "302": ("delivered", ""),
    "304": ("delivered", ""),
    "311": ("delivered", ""),  # 快递柜或驿站签收 / 已取出
    "4": ("exception", ""),  # 问题件
    "401": ("exception", "stuck"),  # 发货无信息
    "402": ("exception", "stuck"),  # 超时未签收
    "403": ("exception", "stuck"),  # 超时未更新
    "404": ("exception", "refused"),  # 拒收(退件)
    "405": ("delivery_failed", ""),  # 派件异常
    "406": ("returned", ""),  # 退货签收
    "407": ("returned", ""),  # 退货未签收
    "412": ("exception", "overdue_pickup"),
    "413": ("exception", ""),  # 单号已拦截
    "414": ("exception", "damaged"),
    "415": ("exception", ""),  # 客户取消发货
    "416": ("delivery_failed", "unreachable"),
    "417": ("exception", "stuck"),  # 配送延迟
    "419": ("out_for_delivery", ""),  # 重新派送
    "420": ("exception", "address"),
    "421": ("delivery_failed", "unreachable"),  # 收件人电话错误
    "423": ("exception", "address"),  # 超区件
    "5": ("in_transit", ""),  # 转寄
    "6": ("customs", ""),
    "601": ("customs", ""),
    "602": ("customs", ""),
    "603": ("customs", ""),
    "604": ("exception", "customs"),
    "10": ("created", ""),  # 待揽件
}


def fold(code: str) -> str:
    return code[0] if len(code) == 3 else code


def _shipment(item: Mapping) -> TrackingUpdate:
    number = normalize_number(item.get("LogisticCode"))
    if not number:
        raise PayloadError("malformed_payload", "kdniao shipment without LogisticCode")
    state = to_str(item.get("StateEx")) or to_str(item.get("State"))
    overall = lookup_status(STATE_RULES, state, fold)
    traces = item.get("Traces") or []
    if not isinstance(traces, list):
        raise PayloadError("malformed_payload", "kdniao Traces is not a list")
    pairs = []
    for trace in traces:
        if not isinstance(trace, Mapping):
            raise PayloadError("malformed_payload", "kdniao trace is not an object")
        action = to_str(trace.get("Action"))
        rule = lookup_status(STATE_RULES, action, fold) if action else None
        event = build_event(parse_time(trace.get("AcceptTime")), rule, trace.get("Location"),
                            trace.get("AcceptStation"), action)
        pairs.append((event, rule is not None))
    events = finish_events(pairs, overall)
    status = overall[0] if overall else ""
    return TrackingUpdate(
        tracking_number=number,
        carrier=resolve_carrier("kdniao", item.get("ShipperCode"), number),
        events=events,
        status=status,
        source_status=state,
        delivered=status == "delivered",
    )


def _checked(item: Mapping) -> Mapping:
    if "Success" in item and not to_bool(item.get("Success")):
        raise PayloadError("source_error", f"kdniao: {to_str(item.get('Reason')) or 'failed'}")
    return item


def data_sign(request_data: str, app_key: str) -> str:
    return b64(md5_hex(request_data + app_key).encode("ascii"))


@register_source("kdniao")
class KdniaoSource(Source):
    secret_setting = "KDNIAO_APP_KEY"

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> None:
        form = parse_form(body)
        expected = data_sign(form.get("RequestData", ""), secret)
        require_signature(expected, form.get("DataSign", ""), "kdniao DataSign")

    def parse(self, body: bytes, headers: Mapping[str, str]) -> ParsedPayload:
        stripped = body.strip()
        if stripped.startswith(b"{"):
            item = _checked(load_json_object(stripped))
            meta = {"EBusinessID": to_str(item.get("EBusinessID"))}
            return ParsedPayload("query", [_shipment(item)], meta=meta)
        form = parse_form(body)
        if "RequestData" not in form:
            raise PayloadError("malformed_payload", "kdniao push without RequestData")
        push = load_json_object(form["RequestData"])
        data = push.get("Data")
        if not isinstance(data, list):
            raise PayloadError("malformed_payload", "kdniao push without Data[]")
        updates = []
        for item in data:
            if not isinstance(item, Mapping):
                raise PayloadError("malformed_payload", "kdniao Data item is not an object")
            if "Success" in item and not to_bool(item.get("Success")) and not item.get("Traces"):
                continue  # a per-shipment failure inside a batch: nothing to record
            updates.append(_shipment(item))
        meta = {"EBusinessID": to_str(push.get("EBusinessID")),
                "RequestType": form.get("RequestType", ""), "Count": to_str(push.get("Count"))}
        return ParsedPayload("push", updates, meta=meta)

    def ack(self, parsed: ParsedPayload | None, error: Exception | None = None) -> Ack:
        return json_ack({
            "EBusinessID": (parsed.meta.get("EBusinessID", "") if parsed else ""),
            "UpdateTime": self.clock().strftime("%Y-%m-%d %H:%M:%S"),
            "Success": error is None,
            "Reason": "" if error is None else str(error),
        })

    def query_request(self, tracking_number: str, carrier: str,
                      credentials: Mapping[str, str]) -> HttpRequest:
        """RequestType 1002 to /Ebusiness/EbusinessOrderHandle.aspx (bububa/kdniao)."""
        import json

        payload = {"OrderCode": "", "ShipperCode": carrier, "LogisticCode": tracking_number}
        if credentials.get("customer_name"):
            payload["CustomerName"] = credentials["customer_name"]
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        fields = {
            "EBusinessID": credentials["ebusiness_id"],
            "RequestType": credentials.get("request_type", "1002"),
            "RequestData": data,
            "DataSign": data_sign(data, credentials["app_key"]),
            "DataType": "2",
        }
        body = "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items()).encode()
        return HttpRequest(
            "POST", "https://api.kdniao.com/Ebusiness/EbusinessOrderHandle.aspx",
            {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}, body,
        )
