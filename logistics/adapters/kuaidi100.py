"""kuaidi100 (快递100): real-time query ``poll/query.do`` and subscription push.

Shapes from:
- kuaidi100-api/java-demo src/main/java/com/kuaidi100/sdk/response/QueryTrackResp.java,
  QueryTrackData.java, SubscribePushParamResp.java, SubscribePushResult.java,
  SubscribePushData.java (official SDK; message/nu/ischeck/condition/com/status/state/
  data[time, ftime, context, location, areaCode, areaName, status, statusCode]).
- Push doc https://apifox.com/apidoc/project-514987/api-8568518 : form-encoded ``param``
  (JSON string) + ``sign`` = md5(param + salt); param.status polling/shutdown/abort/
  updateall; lastResult is 全量, 倒序 (newest first).
- Ack https://api.kuaidi100.com/document/timeout :
  ``{"result":true,"returnCode":"200","message":"成功"}``.
  The failure ack body is NOT shown in the docs read; we answer result=false/500.
- State table (incl. 高级状态 101.. 1001.. 201..210, 10..13, 14) from the query doc
  https://apifox.com/apidoc/project-514987/api-8562559 (1.6 运单快递状态) and the
  疑难 sub-codes as copied from https://api.kuaidi100.com/document/5f0ffb5ebc8da837cbd8aefc
  into several public repos. 202 超时未更新 is documented -> exception/stuck.
- Error envelope: QueryTrackResp has ``result``/``returnCode`` "查不到轨迹或者其他问题".
Note the word "status" means three things: param.status (monitoring state),
lastResult.status ("200", comms status), data[].status (Chinese state name).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..carriers import resolve_carrier
from .base import (
    Ack,
    HttpRequest,
    ParsedPayload,
    PayloadError,
    Source,
    StatusRule,
    TrackingUpdate,
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
    "0": ("in_transit", ""),
    "1": ("picked_up", ""),
    "101": ("created", ""),  # 已下单
    "102": ("created", ""),  # 待揽收
    "103": ("picked_up", ""),  # 已揽收
    "1001": ("arrived_at_hub", ""),  # 到达派件城市
    "1002": ("in_transit", ""),  # 干线
    "1003": ("in_transit", ""),  # 转递
    "5": ("out_for_delivery", ""),
    "501": ("available_for_pickup", ""),  # 投柜或驿站
    "3": ("delivered", ""),
    "301": ("delivered", ""),
    "302": ("delivered", ""),
    "303": ("delivered", ""),
    "304": ("delivered", ""),  # 投柜或站签收
    "6": ("returned", ""),  # 退回
    "4": ("returned", ""),  # 退签
    "401": ("returned", ""),  # 已销单 (folds to 退签)
    "14": ("exception", "refused"),  # 拒签
    "7": ("in_transit", ""),  # 转投
    "2": ("exception", ""),  # 疑难
    "201": ("exception", "stuck"),  # 超时未签收
    "202": ("exception", "stuck"),  # 超时未更新
    "203": ("exception", "refused"),  # 拒收
    "204": ("delivery_failed", ""),  # 派件异常
    "205": ("exception", "overdue_pickup"),  # 柜或驿站超时未取
    "206": ("delivery_failed", "unreachable"),  # 无法联系
    "207": ("exception", "address"),  # 超区
    "208": ("exception", "stuck"),  # 滞留
    "209": ("exception", "damaged"),  # 破损
    "210": ("exception", ""),  # 销单
    "8": ("customs", ""),
    "10": ("customs", ""),
    "11": ("customs", ""),
    "12": ("customs", ""),
    "13": ("exception", "customs"),  # 清关异常
}

# data[].status carries the Chinese state *name* when resultv2 is on (see SDK test data).
NAME_TO_CODE = {
    "在途": "0", "揽收": "1", "疑难": "2", "签收": "3", "退签": "4", "派件": "5",
    "退回": "6", "转投": "7", "清关": "8", "待清关": "10", "清关中": "11", "已清关": "12",
    "清关异常": "13", "拒签": "14", "已下单": "101", "待揽收": "102", "已揽收": "103",
    "到达派件城市": "1001", "干线": "1002", "转递": "1003", "投柜或驿站": "501",
    "本人签收": "301", "派件异常后签收": "302", "代签": "303", "投柜或站签收": "304",
    "已销单": "401", "超时未签收": "201", "超时未更新": "202", "拒收": "203",
    "派件异常": "204", "柜或驿站超时未取": "205", "无法联系": "206", "超区": "207",
    "滞留": "208", "破损": "209", "销单": "210",
}

SUCCESS_ACK = {"result": True, "returnCode": "200", "message": "成功"}
FAILURE_ACK = {"result": False, "returnCode": "500", "message": "失败"}


def fold(code: str) -> str:
    """Advanced sub-codes fold to their parent: 1001→0, 1401→14, 501→5, 201→2."""
    if len(code) == 4 and code.startswith("10"):
        return "0"
    if len(code) == 4:
        return code[:2]
    if len(code) == 3:
        return code[0]
    return code


def state_rule(code: str) -> StatusRule | None:
    return lookup_status(STATE_RULES, code, fold)


def _result_update(result: Mapping, fallback_number: str = "") -> TrackingUpdate:
    number = normalize_number(result.get("nu") or fallback_number)
    if not number:
        raise PayloadError("malformed_payload", "kuaidi100 result without nu")
    state = to_str(result.get("state"))
    overall = state_rule(state)
    rows = result.get("data") or []
    if not isinstance(rows, list):
        raise PayloadError("malformed_payload", "kuaidi100 data is not a list")
    pairs = []
    for row in rows:
        if not isinstance(row, Mapping):
            raise PayloadError("malformed_payload", "kuaidi100 data item is not an object")
        code = to_str(row.get("statusCode")) or NAME_TO_CODE.get(to_str(row.get("status")), "")
        when = parse_time(row.get("ftime") or row.get("time"))
        location = row.get("location") or row.get("areaName")
        event = build_event(when, state_rule(code), location, row.get("context"), code)
        pairs.append((event, bool(code)))
    events = finish_events(pairs, overall)
    delivered = to_bool(result.get("ischeck")) or bool(overall and overall[0] == "delivered")
    return TrackingUpdate(
        tracking_number=number,
        carrier=resolve_carrier("kuaidi100", result.get("com"), number),
        events=events,
        status=overall[0] if overall else "",
        source_status=state,
        delivered=delivered,
    )


def _raise_if_error(obj: Mapping) -> None:
    if "result" in obj and not to_bool(obj.get("result")) and not obj.get("data"):
        raise PayloadError(
            "source_error",
            f"kuaidi100 returnCode={to_str(obj.get('returnCode'))} {to_str(obj.get('message'))}",
        )


@register_source("kuaidi100")
class Kuaidi100Source(Source):
    secret_setting = "KUAIDI100_SALT"

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> None:
        form = parse_form(body)
        expected = md5_hex(form.get("param", "") + secret).upper()
        require_signature(expected, form.get("sign", "").upper(), "kuaidi100 sign")

    def parse(self, body: bytes, headers: Mapping[str, str]) -> ParsedPayload:
        stripped = body.strip()
        if stripped.startswith(b"{"):
            obj = load_json_object(stripped)
            _raise_if_error(obj)
            return ParsedPayload("query", [_result_update(obj)])
        form = parse_form(body)
        if "param" not in form:
            raise PayloadError("malformed_payload", "kuaidi100 push without param")
        param = load_json_object(form["param"])
        last = param.get("lastResult")
        if not isinstance(last, Mapping):
            raise PayloadError("malformed_payload", "kuaidi100 push without lastResult")
        update = _result_update(last)
        monitor = to_str(param.get("status"))
        if monitor == "abort" and update.status not in ("delivered", "returned"):
            # "3天查询无记录" / "60天无变化": kuaidi100 stopped watching a live parcel.
            update.status = "exception"
        return ParsedPayload(
            "push", [update], meta={"monitor_status": monitor,
                                    "message": to_str(param.get("message"))}
        )

    def ack(self, parsed: ParsedPayload | None, error: Exception | None = None) -> Ack:
        return json_ack(SUCCESS_ACK if error is None else FAILURE_ACK)

    def query_request(self, tracking_number: str, carrier: str,
                      credentials: Mapping[str, str]) -> HttpRequest:
        """POST poll/query.do; sign = MD5(param + key + customer) upper (SDK QueryTrackReq)."""
        import json
        from urllib.parse import urlencode

        param = json.dumps(
            {"com": carrier, "num": tracking_number, "phone": credentials.get("phone", ""),
             "resultv2": "4"},
            ensure_ascii=False, separators=(",", ":"),
        )
        customer = credentials["customer"]
        sign = md5_hex(param + credentials["key"] + customer).upper()
        body = urlencode({"customer": customer, "sign": sign, "param": param}).encode()
        return HttpRequest(
            "POST", "https://poll.kuaidi100.com/poll/query.do",
            {"Content-Type": "application/x-www-form-urlencoded"}, body,
        )


__all__ = ["Kuaidi100Source", "STATE_RULES", "fold"]
