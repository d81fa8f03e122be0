"""SF Express 丰桥: route push (JSON and legacy XML) and EXP_RECE_SEARCH_ROUTES responses.

Shapes from:
- RoutePushService doc copy https://www.showdoc.com.cn/hnqiao/9157102515696868 :
  "json" mode posts application/json; "form" mode posts field ``content`` = URL-encoded
  XML; XML answer ``OK``/``ERR``; JSON answer {return_code 0000 success / 1000 failure,
  return_msg}; at most 10 WaybillRoute elements per push.
- JSON push ``{"Body":{"WaybillRoute":[{mailno, orderid, id, acceptTime, acceptAddress,
  remark, opCode}]}}`` and the exact success ack ``{"return_code":"0000","return_msg":"成功"}``
  as asserted in public controller tests (found via find_string; repo not named).
- XML ``<Request service="RoutePushService"><Body><WaybillRoute mailno= orderid=
  acceptTime= acceptAddress= remark= opCode= id=/></Body></Request>`` and
  ``<Response service="RoutePushService"><Head>OK</Head></Response>`` /
  ``<Head>ERR</Head><ERROR code="4001">`` from public SF integration code.
- Query: apiResultCode (A1000 = ok) and apiResultData, a JSON *string* holding
  {success, errorCode, errorMsg, msgData{routeResps[{mailNo, routes[{acceptTime,
  acceptAddress, remark, opCode, firstStatusCode, secondaryStatusCode}]}]}}; msgDigest =
  base64(md5_bin(urlencode(msgData + timestamp + checkWord))) per the official Java demo
  (URLEncoder) as quoted in several public clients.
- Signature: the route push carries NO signature (reported from SF sandbox in public
  code); verify() only checks a body that has msgData/timestamp/msgDigest form fields and
  refuses unsigned pushes with code "unsigned" — protect the SF endpoint by a secret URL.
- opCode meanings: no official table was found. Used: 50/54 收件, 30/36 装车/发出,
  31 到达, 130 到达派件网点, 44/204 派送中, 80/8000 签收, 70 派送失败, 33 滞留,
  99/631/648 退回 (public code constants), firstStatusCode 1-4 (public client notes).
  firstStatusCode, when present, wins over opCode.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from urllib.parse import quote_plus, urlencode

from ..carriers import detect_carrier
from .base import (
    Ack,
    HttpRequest,
    ParsedPayload,
    PayloadError,
    SignatureError,
    Source,
    StatusRule,
    TrackingUpdate,
    b64,
    build_event,
    finish_events,
    json_ack,
    load_json,
    load_json_object,
    looks_like_form,
    normalize_number,
    parse_form,
    parse_time,
    parse_xml,
    register_source,
    require_signature,
    to_str,
)

OPCODE_RULES: dict[str, StatusRule] = {
    "50": ("picked_up", ""),
    "54": ("picked_up", ""),
    "30": ("in_transit", ""),
    "36": ("in_transit", ""),
    "31": ("arrived_at_hub", ""),
    "130": ("arrived_at_hub", ""),
    "44": ("out_for_delivery", ""),
    "204": ("out_for_delivery", ""),
    "80": ("delivered", ""),
    "8000": ("delivered", ""),
    "70": ("delivery_failed", ""),
    "33": ("exception", "stuck"),
    "99": ("returned", ""),
    "631": ("returned", ""),
    "648": ("returned", ""),
}
FIRST_STATUS_RULES: dict[str, StatusRule] = {
    "1": ("picked_up", ""),
    "2": ("in_transit", ""),
    "3": ("out_for_delivery", ""),
    "4": ("delivered", ""),
}
RETURN_WORDS = ("退回", "退件")  # a 签收 of a returned parcel must not count as delivered

SERVICE_ROUTES = "EXP_RECE_SEARCH_ROUTES"


def msg_digest(msg_data: str, timestamp: str, checkword: str) -> str:
    raw = quote_plus(msg_data + timestamp + checkword)
    return b64(hashlib.md5(raw.encode("utf-8")).digest())


def _route_rule(route: Mapping) -> tuple[StatusRule | None, str]:
    first, op = to_str(route.get("firstStatusCode")), to_str(route.get("opCode"))
    rule = FIRST_STATUS_RULES.get(first) or OPCODE_RULES.get(op)
    if rule and rule[0] == "delivered" and any(w in to_str(route.get("remark"))
                                               for w in RETURN_WORDS):
        rule = ("returned", "")
    return rule, op or first


def _updates(groups: dict[str, list[Mapping]]) -> list[TrackingUpdate]:
    updates = []
    for number, routes in groups.items():
        pairs = []
        for route in routes:
            rule, code = _route_rule(route)
            event = build_event(parse_time(route.get("acceptTime")), rule,
                                route.get("acceptAddress"), route.get("remark"), code)
            pairs.append((event, rule is not None))
        events = finish_events(pairs, None)
        status = events[-1].status if events else ""
        updates.append(TrackingUpdate(
            tracking_number=number,
            carrier=detect_carrier(number) or "sf",
            events=events,
            status=status,
            source_status=events[-1].source_code if events else "",
            delivered=status == "delivered",
        ))
    return updates


def _group(routes: list[Mapping], number_key: str) -> dict[str, list[Mapping]]:
    groups: dict[str, list[Mapping]] = {}
    for route in routes:
        if not isinstance(route, Mapping):
            raise PayloadError("malformed_payload", "SF route is not an object")
        number = normalize_number(route.get(number_key))
        if not number:
            raise PayloadError("malformed_payload", f"SF route without {number_key}")
        groups.setdefault(number, []).append(route)
    return groups


def _parse_xml_push(xml: str) -> list[Mapping]:
    root = parse_xml(xml)
    if root.tag != "Request" or root.get("service") != "RoutePushService":
        raise PayloadError("malformed_payload", "not an SF RoutePushService request")
    return [dict(node.attrib) for node in root.iter("WaybillRoute")]


def _parse_query(obj: Mapping) -> list[TrackingUpdate]:
    if to_str(obj.get("apiResultCode")) != "A1000":
        raise PayloadError("source_error", f"SF apiResultCode={to_str(obj.get('apiResultCode'))}"
                                           f" {to_str(obj.get('apiErrorMsg'))}")
    result = obj.get("apiResultData")
    result = load_json(result) if isinstance(result, str) else result  # JSON inside JSON
    if not isinstance(result, Mapping):
        raise PayloadError("malformed_payload", "SF apiResultData is not an object")
    if result.get("success") is not True:
        raise PayloadError("source_error", f"SF errorCode={to_str(result.get('errorCode'))} "
                                           f"{to_str(result.get('errorMsg'))}")
    resps = (result.get("msgData") or {}).get("routeResps") or []
    groups: dict[str, list[Mapping]] = {}
    for resp in resps:
        number = normalize_number(resp.get("mailNo"))
        if not number:
            raise PayloadError("malformed_payload", "SF routeResp without mailNo")
        groups.setdefault(number, []).extend(resp.get("routes") or [])
    return _updates(groups)


@register_source("sf")
class SfSource(Source):
    secret_setting = "SF_CHECKWORD"

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> None:
        fields = parse_form(body) if looks_like_form(body) else {}
        if not {"msgData", "timestamp", "msgDigest"} <= fields.keys():
            raise SignatureError(
                "SF route push carries no signature; protect the endpoint with a secret URL",
                code="unsigned",
            )
        expected = msg_digest(fields["msgData"], fields["timestamp"], secret)
        require_signature(expected, fields["msgDigest"], "SF msgDigest")

    def parse(self, body: bytes, headers: Mapping[str, str]) -> ParsedPayload:
        stripped = body.strip()
        if stripped.startswith(b"<"):
            routes = _parse_xml_push(stripped.decode("utf-8", "replace"))
            return ParsedPayload("push", _updates(_group(routes, "mailno")), {"format": "xml"})
        if looks_like_form(stripped):
            form = parse_form(stripped)
            if "content" in form:
                routes = _parse_xml_push(form["content"])
                return ParsedPayload("push", _updates(_group(routes, "mailno")),
                                     {"format": "xml"})
            if "msgData" in form:
                stripped = form["msgData"].encode("utf-8")
            else:
                raise PayloadError("malformed_payload", "SF form without content or msgData")
        obj = load_json_object(stripped)
        if "apiResultCode" in obj:
            return ParsedPayload("query", _parse_query(obj))
        routes = (obj.get("Body") or {}).get("WaybillRoute")
        if isinstance(routes, Mapping):
            routes = [routes]
        if not isinstance(routes, list):
            raise PayloadError("malformed_payload", "SF push without Body.WaybillRoute")
        return ParsedPayload("push", _updates(_group(routes, "mailno")), {"format": "json"})

    def ack(self, parsed: ParsedPayload | None, error: Exception | None = None) -> Ack:
        if parsed is not None and parsed.meta.get("format") == "xml":
            head = "<Head>OK</Head>" if error is None else (
                '<Head>ERR</Head><ERROR code="4001">系统发生数据错误或运行时异常</ERROR>')
            xml = f'<Response service="RoutePushService">{head}</Response>'
            return Ack(200, "application/xml; charset=utf-8", xml.encode("utf-8"))
        if error is None:
            return json_ack({"return_code": "0000", "return_msg": "成功"})
        return json_ack({"return_code": "1000", "return_msg": str(error) or "失败"})

    def query_request(self, tracking_number: str, carrier: str,
                      credentials: Mapping[str, str]) -> HttpRequest:
        msg = {"trackingType": "1", "trackingNumber": [tracking_number], "methodType": "1"}
        if credentials.get("check_phone"):
            msg["checkPhoneNo"] = credentials["check_phone"][-4:]
        msg_data = json.dumps(msg, ensure_ascii=False, separators=(",", ":"))
        timestamp = credentials.get("timestamp") or str(int(self.clock().timestamp() * 1000))
        fields = {
            "partnerID": credentials["partner_id"],
            "requestID": credentials.get("request_id", f"{tracking_number}-{timestamp}"),
            "serviceCode": SERVICE_ROUTES,
            "timestamp": timestamp,
            "msgDigest": msg_digest(msg_data, timestamp, credentials["checkword"]),
            "msgData": msg_data,
        }
        url = credentials.get("url", "https://bspgw.sf-express.com/std/service")
        return HttpRequest("POST", url, {"Content-Type": "application/x-www-form-urlencoded"},
                           urlencode(fields).encode())

