"""The dialogue policy: one customer turn in, the bot's replies out.

Order of business each turn: remember every slot given (never ask again), answer a pending
question (which parcel? what evidence? which new address?), hand off when asked, on strong anger
or after two unsure turns, else serve the intent with real data and, where a human must act,
open the ticket with its full context.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from chatbot.dialogue import answers, facts, forms, turn_hooks
from chatbot.nlu.pipeline import ANGER_MARKERS

UNSURE = 0.45  # below this confidence a turn counts as not understood
TICKET_INTENTS = {  # intent → ticket category
    "lost_parcel": "lost_parcel", "damaged_parcel": "damaged_parcel",
    "wrong_item": "wrong_item", "signed_not_received": "signed_not_received",
    "change_delivery": "change_delivery", "fee_dispute": "fee_dispute",
    "complaint_service": "complaint_service", "pickup_request": "pickup",
    "urge_delivery": "urge_delivery",
}
CATEGORY_NAMES = {"lost_parcel": "丢件", "damaged_parcel": "破损/变质", "wrong_item": "错发/漏发",
                  "signed_not_received": "签收未收到", "change_delivery": "改派",
                  "fee_dispute": "费用争议", "complaint_service": "服务投诉", "pickup": "预约取件",
                  "urge_delivery": "催件", "other": "人工服务"}
NEEDS_PARCEL = {"lost_parcel", "damaged_parcel", "wrong_item", "signed_not_received",
                "change_delivery", "urge_delivery", "track_query"}
PROGRESS_WORDS = {"received": "已受理", "assigned": "已分派专人处理", "processing": "正在核实处理",
                  "review": "已有处理结果，正在复核", "closed": "已解决"}
MENU = ["查快递", "催件", "丢件/破损", "转人工"]
FORM_ASKS = 2  # a ticket template's questions asked at most this often (a handoff: once)
SELF_PICKUP = re.compile(r"自提|驿站|快递柜|丰巢|退回")
FEEDBACK_BUTTONS = ["有帮助", "没帮助"]
FEEDBACK_WORDS = {"有帮助": True, "有用": True, "解决了": True, "没帮助": False, "没用": False,
                  "没有帮助": False, "没解决": False}


@dataclass
class Turn:
    replies: list = field(default_factory=list)
    ticket: object = None
    handoff: bool = False

    def say(self, text, buttons=None):
        reply = {"type": "text", "text": text.strip()}
        if buttons:
            reply["buttons"] = buttons
        self.replies.append(reply)


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%m月%d日 %H:%M") if dt else ""


def _station_started(ticket) -> str:
    """The 丢件 flow sent the station a 网点核实 task (stations' `station_check` context)."""
    check = (ticket.context or {}).get("station_check") or {}
    if check.get("state") != "checking":
        return ""
    due = datetime.fromisoformat(check["due_at"]) if check.get("due_at") else None
    return (f"已自动触发“网点核实”流程（{check.get('station', '')}），"
            + (f"{_local(due)} 前给您反馈。" if due else "核实后第一时间告知您。"))


def _station_words(ticket) -> str:
    """Customer-facing station progress: 网点核实中 → 网点已反馈（result）."""
    check = (ticket.context or {}).get("station_check") or {}
    if not check or ticket.status == "closed":
        return ""
    if check.get("state") == "answered":
        return f"，网点已反馈：{check.get('result_label', '')}"
    return "，网点核实中"


def _empathy(state, understanding, shipment_facts=None) -> str:
    goods = set(understanding["slots"].get("goods", [])) | set(state.get("goods", []))
    if shipment_facts:
        goods |= set(shipment_facts.get("goods", []))
    if understanding["emotion"] == "angry":
        return "非常抱歉给您带来这么糟糕的体验，我马上为您处理。"
    if "international" in goods or (shipment_facts or {}).get("status") == "customs":
        return "国际件需要海关清关，清关期间物流信息可能暂时不更新，我们会持续跟进清关进度。"
    if "fresh" in goods:
        return "生鲜怕耽误，理解您的着急，我们会优先处理，如有变质可走优先理赔。"
    if "valuable" in goods:
        return "贵重物品我们会重点跟进，请您放心。"
    if understanding["emotion"] == "anxious":
        return "理解您的着急，我马上帮您查。"
    return ""


class Dialogue:
    """Serves one conversation; `ports` are the tickets-side operations (see chatbot.services)."""

    def __init__(self, conversation, ports):
        self.conv = conversation
        self.state = conversation.state
        self.ports = ports
        # One turn reads a parcel once and describes it once, however many steps use it.
        self._shipments: dict = {}
        self._facts: dict = {}

    def _shipment(self, number):
        if number not in self._shipments:
            self._shipments[number] = facts.by_number(number)
        return self._shipments[number]

    def _describe(self, shipment) -> dict:
        if shipment.tracking_number not in self._facts:
            self._facts[shipment.tracking_number] = facts.describe(shipment)
        return self._facts[shipment.tracking_number]

    # --- entry point ---
    def turn(self, text: str, understanding: dict) -> Turn:
        turn = Turn()
        self._remember(understanding)
        intent = understanding["intent"]
        pending = self.state.get("pending")
        if pending and self._answer_pending(pending, text, understanding, turn):
            return turn
        # e.g. stations: the customer answers a courier's address check ("放快递柜吧").
        settled = turn_hooks.settle(customer=self.conv.customer, text=text,
                                    understanding=understanding)
        if settled:
            turn.say(settled["text"], settled.get("buttons"))
            return turn
        angry = understanding["emotion"] == "angry"
        # Strong anger: threats or insults, or anger twice in a row.
        strong = angry and (bool(ANGER_MARKERS.search(text)) or self.state.get("angry_turns", 0))
        if intent != "human_agent" and intent != "other":
            self.state["intent"] = intent  # what the handoff ticket is about
        if intent == "human_agent" or strong:
            return self._handoff(turn, understanding, reason="customer_request"
                                 if intent == "human_agent" else "strong_emotion")
        self.state["angry_turns"] = self.state.get("angry_turns", 0) + 1 if angry else 0
        # An informational question a registered source (the knowledge base) answers with
        # confidence; sources decline anything about the customer's own parcel or case.
        answer = None if angry else answers.find_answer(text, understanding, self.state)
        if answer:
            self.state["unsure_turns"] = 0
            self.state["pending"] = {"kind": "answer_feedback", "key": answer["feedback_key"],
                                     "article": answer.get("article")}
            turn.say(answer["text"], answer.get("buttons"))
            turn.replies[-1]["article"] = answer.get("article")
            return turn
        if understanding["confidence"] < UNSURE and intent not in ("chitchat",):
            self.state["unsure_turns"] = self.state.get("unsure_turns", 0) + 1
            if self.state["unsure_turns"] >= 2:
                return self._handoff(turn, understanding, reason="not_understood")
            turn.say("抱歉，我没完全理解您的问题。您是想办理以下哪项业务？", MENU)
            return turn
        self.state["unsure_turns"] = 0
        return self._serve(intent, understanding, turn)

    # --- memory ---
    def _remember(self, understanding):
        known = self.state.setdefault("slots", {})
        for name, values in understanding["slots"].items():
            for value in values:
                if value not in known.setdefault(name, []):
                    known[name].append(value)
        if understanding["slots"].get("waybill"):
            self.state["waybill"] = understanding["slots"]["waybill"][-1]
        self.state.setdefault("said", []).append(understanding.get("text", ""))

    # --- pending questions ---
    def _answer_pending(self, pending, text, understanding, turn) -> bool:
        kind = pending["kind"]
        if kind == "answer_feedback":
            return self._answer_feedback(pending, text, turn)
        if kind == "choose_parcel":
            number = self._pick(pending["options"], text, understanding)
            if number is None:
                return False
            self.state["waybill"] = number
            self.state.pop("pending")
            self._serve(pending["intent"], understanding, turn)
            return True
        if kind == "form":
            return self._answer_form(pending, text, understanding, turn)
        if kind in ("evidence", "delivery_change"):
            given = (understanding["slots"]["address"] or understanding["slots"]["time"]
                     or SELF_PICKUP.search(text))
            if kind == "delivery_change" and not given:
                return False
            self.state.pop("pending")
            self.state["extra"] = text
            self._open_ticket(pending["intent"], understanding, turn)
            return True
        return False

    def _answer_feedback(self, pending, text, turn) -> bool:
        """After an article answer: "查看全文" shows the link, a vote is recorded; anything
        else drops the question and is served as usual."""
        said = text.strip().strip("!！。.")
        article = pending.get("article") or {}
        if said == "查看全文" and article:
            turn.say(f"《{article.get('title', '')}》全文：{article.get('url', '')}",
                     FEEDBACK_BUTTONS)
            turn.replies[-1]["article"] = article
            return True
        self.state.pop("pending")
        helpful = FEEDBACK_WORDS.get(said)
        if helpful is None:
            return False
        answers.record_feedback(pending["key"], helpful, self.conv)
        if helpful:
            turn.say("感谢您的反馈！还有其他问题随时问我。")
        else:
            turn.say("抱歉没能帮到您。您可以换个说法再问，或选择下面的业务。", MENU)
        return True

    def _pick(self, options, text, understanding):
        if understanding["slots"]["waybill"]:
            return understanding["slots"]["waybill"][-1]
        digits = re.findall(r"\d+", text)
        for option in options:
            if any(len(d) >= 4 and option["number"].endswith(d) for d in digits):
                return option["number"]
            if option["carrier"] and option["carrier"][:2] in text:
                return option["number"]
        ordinal = re.search(r"第?([1-5一二三四五])个?", text)
        if ordinal:
            index = "12345一二三四五".index(ordinal.group(1)) % 5
            if index < len(options):
                return options[index]["number"]
        return None

    # --- serving intents ---
    def _serve(self, intent, understanding, turn) -> Turn:
        if intent == "chitchat":
            turn.say("您好，我是快递服务助手，可以帮您查件、催件、处理丢件破损、改地址等。" if not
                     re.search(r"谢|再见|拜", understanding.get("text", "")) else
                     "不客气，祝您生活愉快！有问题随时找我。")
            return turn
        if intent == "ticket_progress" or intent == "claim_progress":
            return self._progress(intent, turn)
        if intent in NEEDS_PARCEL:
            shipment = self._parcel(intent, turn)
            if shipment is False:
                return turn
            self.state["shipment"] = shipment.tracking_number if shipment else None
            if intent == "track_query":
                return self._track(shipment, understanding, turn)
            if intent == "urge_delivery":
                return self._urge(shipment, understanding, turn)
        if intent == "change_delivery" and (self.state["slots"].get("address")
                                            or self.state["slots"].get("time")
                                            or SELF_PICKUP.search(understanding["text"])):
            self.state.setdefault("extra", understanding["text"])  # the change, in their words
        templated = bool(self.ports.template(TICKET_INTENTS.get(intent, "other")))
        if intent == "damaged_parcel" and not self.state.get("extra") and not templated:
            self.state["pending"] = {"kind": "evidence", "intent": intent}
            turn.say(_empathy(self.state, understanding) + "请上传破损或变质部分的照片，"
                     "并告诉我们商品价值，方便尽快为您处理。")
            return turn
        if intent == "change_delivery" and not templated and not (
                self.state["slots"].get("address") or self.state["slots"].get("time")
                or SELF_PICKUP.search(understanding["text"])):
            self.state["pending"] = {"kind": "delivery_change", "intent": intent}
            turn.say("请告诉我新的收货地址、希望的派送时间，或是否改为驿站/快递柜自提。")
            return turn
        if intent in TICKET_INTENTS:
            return self._open_ticket(intent, understanding, turn)
        turn.say("这个问题我暂时无法回答。您可以换个说法，或选择下面的业务。", MENU)
        return turn

    def _parcel(self, intent, turn):
        """The shipment being talked about; False when a question was asked instead."""
        number = self.state.get("waybill")
        if number:
            return self._shipment(number)
        options = facts.candidates_for(self.conv.customer)
        # A place the customer named (杭州中转场) singles out the parcel last scanned there.
        places = [p[:2] for p in self.state.get("slots", {}).get("location", []) if len(p) >= 2]
        at_place = [s for s in options if any(p in (s.last_location or "") for p in places)]
        if len(at_place) == 1:
            options = at_place
        if len(options) == 1:
            self.state["waybill"] = options[0].tracking_number
            self._shipments[options[0].tracking_number] = options[0]
            return options[0]
        if not options:
            self.state["pending"] = None
            turn.say("没有查到与您手机号关联的包裹，请提供运单号，我马上为您查询。")
            return False
        described = [facts.describe(s) for s in options]
        self.state["pending"] = {"kind": "choose_parcel", "intent": intent, "options": [
            {"number": d["number"], "carrier": d["carrier"]} for d in described]}
        turn.say("查到您名下有多个包裹，请问是哪一个？",
                 [f"{d['carrier']} 尾号{d['last4']}（{d['status_label']}）" for d in described])
        return False

    def _track(self, shipment, understanding, turn):
        if shipment is None:
            turn.say(f"暂未查到运单 {self.state.get('waybill')} 的物流信息，"
                     "可能尚未揽收或单号有误，请核对后再试，或回复“转人工”。")
            return turn
        described = self._describe(shipment)
        turn.say(render_to_string("chatbot/replies/shipment.txt", {
            "s": described, "empathy": _empathy(self.state, understanding, described)}))
        if described["stalled"]:
            turn.say("需要我为您催件吗？", ["帮我催件", "转人工"])
        return turn

    def _urge(self, shipment, understanding, turn):
        if shipment is not None:
            described = self._describe(shipment)
            turn.say(render_to_string("chatbot/replies/shipment.txt", {
                "s": described, "empathy": _empathy(self.state, understanding, described)}))
            if shipment.status in ("delivered",):
                turn.say("系统显示已签收。如果您没有收到，请回复“没收到”，我为您登记核实。")
                return turn
            overdue = shipment.eta is not None and shipment.eta < timezone.now()
            if not described["stalled"] and not overdue:
                # Moving, not late: the facts are the answer; 催件 is for stalled or overdue.
                turn.say("包裹正在正常运输中，还没有超过预计时间，暂时不需要催件；"
                         "如到预计时间仍未送达，您再联系我，我会立即为您登记催件。")
                return turn
        return self._open_ticket("urge_delivery", understanding, turn)

    def _progress(self, intent, turn):
        tickets = self.ports.customer_tickets(self.conv.customer,
                                              number=(self.state["slots"].get("ticket_no")
                                                      or [None])[-1],
                                              claims=intent == "claim_progress")
        if not tickets:
            turn.say("没有查到您名下的工单。需要为您登记新的问题吗？", MENU)
            return turn
        lines = [f"工单 {t.number}（{CATEGORY_NAMES.get(t.category.code, t.category.name)}）："
                 f"{PROGRESS_WORDS[t.status]}" + _station_words(t)
                 + (f"，预计 {_local(t.resolve_due)} 前给您结果"
                                                  if t.status != "closed" and t.resolve_due
                                                  else "") for t in tickets[:3]]
        turn.say("\n".join(lines))
        return turn

    # --- the category's ticket template: ask for exactly what is missing ---
    def _form(self, category):
        fields = self.ports.template(category)
        values = forms.from_state(fields, self.state)
        return fields, values, self.ports.missing_fields(category, values)

    def _ask_form(self, intent, category, fields, missing, turn, handoff_reason, asks=0):
        self.state["pending"] = {"kind": "form", "intent": intent, "category": category,
                                 "handoff_reason": handoff_reason, "asks": asks + 1,
                                 "fields": [f["code"] for f in missing]}
        evidence = [f for f in fields if f["kind"] == "evidence" and f["required"]]
        turn.say(forms.ask(missing, evidence, first=asks == 0))
        return turn

    def _answer_form(self, pending, text, understanding, turn) -> bool:
        category = pending["category"]
        fields = self.ports.template(category)
        asked = [f for f in fields if f["code"] in pending["fields"]]
        intent = understanding["intent"]
        got = intent != "human_agent" and forms.take_answer(asked, text, understanding["slots"],
                                                            self.state)
        _fields, values, missing = self._form(category)
        if not got and missing and understanding["confidence"] >= UNSURE and intent not in (
                "other", "chitchat", "human_agent", pending["intent"]):
            self.state.pop("pending")  # a new subject: serve that instead
            return False
        self.state.pop("pending")
        if not missing:
            self._open_ticket(pending["intent"], understanding, turn,
                              handoff_reason=pending["handoff_reason"], category=category)
            return True
        limit = 1 if pending["handoff_reason"] else FORM_ASKS
        if pending["asks"] >= limit or intent == "human_agent":
            # Still missing: a person takes over with what we have, as a general ticket.
            self.state["form_gap"] = {"category": category,
                                      "missing": [f["label"] for f in missing]}
            self._open_ticket(pending["intent"], understanding, turn, category="other",
                              handoff_reason=pending["handoff_reason"] or "form_incomplete")
            return True
        self._ask_form(pending["intent"], category, fields, missing, turn,
                       pending["handoff_reason"], asks=pending["asks"])
        return True

    # --- tickets and handoff ---
    def _open_ticket(self, intent, understanding, turn, *, handoff_reason=None, category=None):
        category = category or TICKET_INTENTS.get(intent, "other")
        fields, values, missing = self._form(category)
        if missing:
            return self._ask_form(intent, category, fields, missing, turn, handoff_reason)
        shipment = self._shipment(self.state["waybill"]) if self.state.get("waybill") else None
        described = facts.snapshot(shipment, self._describe(shipment)) if shipment else None
        ticket = self.ports.open_ticket(
            conversation=self.conv, category=category, understanding=understanding,
            shipment=described, handoff_reason=handoff_reason,
            summary=self._summary(intent, described, handoff_reason), form_values=values)
        self.conv.ticket = ticket
        turn.ticket = ticket
        empathy = _empathy(self.state, understanding, described)
        if handoff_reason:
            turn.handoff = True
            turn.say(render_to_string("chatbot/replies/handoff.txt", {
                "empathy": empathy, "number": ticket.number,
                "response_due": _local(ticket.response_due)}))
        else:
            turn.say(render_to_string("chatbot/replies/ticket_created.txt", {
                "empathy": empathy, "category": CATEGORY_NAMES[category], "number": ticket.number,
                "response_due": _local(ticket.response_due),
                "resolve_due": _local(ticket.resolve_due),
                "callback": "elderly" in (self.conv.customer.tags or []),
                "extra": _station_started(ticket) or (
                    "网点核实后会第一时间告知您结果。" if category in (
                        "lost_parcel", "signed_not_received") else "")}))
        evidence = [f["label"] for f in fields if f["kind"] == "evidence" and f["required"]]
        if evidence:
            turn.say(f"请在工单 {ticket.number} 中上传{'、'.join(evidence)}，方便我们尽快处理。")
        return turn

    def _handoff(self, turn, understanding, *, reason):
        intent = self.state.get("intent") or "other"
        return self._open_ticket(intent, understanding, turn, handoff_reason=reason)

    def _summary(self, intent, described, handoff_reason) -> dict:
        slots = self.state.get("slots", {})
        said = [s for s in self.state.get("said", []) if s]
        triggered = {"customer_request": "客户要求转人工",
                     "strong_emotion": "客户情绪激动，自动转人工",
                     "not_understood": "连续两轮未能理解，自动转人工",
                     "form_incomplete": "客户未补全必填信息，转人工"}.get(handoff_reason, "")
        extra = []
        if described:
            extra.append(f"运单 {described['number']}（{described['carrier']}，"
                         f"{described['status_label']}，最新节点 {described['node_time']} "
                         f"{described['node_place']}）")
        for name, label in (("phone", "联系电话"), ("address", "地址"), ("time", "时间"),
                            ("goods", "物品"), ("location", "地点")):
            if slots.get(name):
                extra.append(f"{label}：{'、'.join(slots[name])}")
        if self.state.get("extra"):
            extra.append(f"补充：{self.state['extra']}")
        gap = self.state.get("form_gap")
        if gap:
            extra.append(f"原分类 {gap['category']}，待补充：{'、'.join(gap['missing'])}")
        return {"用户诉求": said[-1] if said else CATEGORY_NAMES.get(TICKET_INTENTS.get(intent,
                                                                                     "other")),
                "已触发": "；".join(filter(None, [f"意图 {intent}", triggered])),
                "补充信息": "；".join(extra)}
