"""Filling a category's ticket template (tickets' required fields) from what the customer
said: slots the NLU found, amounts, choices, and answers to the bot's own question.

The template comes from tickets (TicketPorts.template); tickets checks the values again when
the ticket is created, so a value taken here can only be refused there, never invented."""

import re

from config.phones import canonical_mobile

# An amount with its unit (300元, 1,200块, ¥88.5): a waybill's digits never carry one.
_NUMBER = r"(\d[\d,]{0,9}(?:\.\d{1,2})?)"
_AMOUNT = re.compile(rf"(?:¥|￥)\s*{_NUMBER}|{_NUMBER}\s*(?:元|块)")
_BARE = re.compile(r"(?<![\d.])(\d{1,8}(?:\.\d{1,2})?)(?![\d.])")
_PUNCT = re.compile(r"[\s，。,.!！?？;；:：、~～]+")
_EDGES = " ，。,.!！?？;；:：、~～"
MIN_TEXT = 4  # characters left over before a free-text field takes the answer
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")


def amount_in(text: str, *, bare: bool = False) -> str | None:
    match = _AMOUNT.search(text or "")
    if match:
        return (match.group(1) or match.group(2)).replace(",", "")
    if bare:  # the answer to "how much?": a lone number will do
        numbers = _BARE.findall(text or "")
        if len(numbers) == 1:
            return numbers[0]
    return None


def choice_in(choices, text: str) -> str | None:
    found = [c for c in choices if c and c in (text or "")]
    return max(found, key=len) if found else None


def from_state(fields: list[dict], state: dict) -> dict:
    """Values the conversation already holds, field by field (evidence is a file: skipped)."""
    slots = state.get("slots", {})
    answers = state.get("form_answers", {})
    said = " ".join(s for s in state.get("said", []) if s)
    values, text_given = {}, False
    for field in fields:
        code, kind = field["code"], field["kind"]
        if kind == "evidence":
            continue
        if code in answers:
            values[code] = answers[code]
            text_given |= kind == "text"
            continue
        if field.get("group") and any(f.get("group") == field["group"] and f["code"] in values
                                      for f in fields):
            continue  # one of its group is given already
        value = None
        if kind == "address" and slots.get("address"):
            value = slots["address"][-1]
        elif kind == "time" and slots.get("time"):
            value = slots["time"][-1]
        elif kind == "phone" and slots.get("phone"):
            value = slots["phone"][-1]
        elif kind == "choice":
            value = choice_in(field["choices"], said)
        elif kind in ("money", "number"):
            value = amount_in(said)
        elif kind == "text" and not text_given and state.get("extra"):
            value, text_given = state["extra"], True  # the customer's own words on the case
        if value is not None:
            values[code] = value
    return values


def take_answer(missing: list[dict], text: str, slots: dict, state: dict) -> bool:
    """Stores what `text` (the answer to the bot's question) says for the `missing` fields in
    state["form_answers"]; True when it gave anything. A free-text field takes what is left of
    the answer once amounts and choices are taken out, if anything real is left."""
    answers = state.setdefault("form_answers", {})
    alone = len(missing) == 1
    got = False
    rest = text or ""
    numeric = [f for f in missing if f["kind"] in ("money", "number")]
    for field in sorted(missing, key=lambda f: f["kind"] == "text"):  # free text last
        code, kind, value = field["code"], field["kind"], None
        if kind in ("money", "number"):
            value = amount_in(text, bare=len(numeric) == 1)
        elif kind == "choice":
            value = choice_in(field["choices"], text)
        elif kind == "address":
            value = (slots.get("address") or [None])[-1] or (text if alone else None)
        elif kind == "time":
            value = (slots.get("time") or [None])[-1] or (text if alone else None)
        elif kind == "phone":
            match = _MOBILE.search(text)
            value = canonical_mobile(match.group(0)) if match else None
        elif kind == "text":
            left = _PUNCT.sub("", rest)
            if alone or len(left) >= MIN_TEXT:
                value = text if alone else rest.strip(_EDGES)
                rest = ""  # the first text field missing takes the answer
        if value:
            answers[code] = value
            got = True
            if kind in ("choice", "money", "number") and isinstance(value, str):
                rest = rest.replace(value, " ")
    return got


def ask(missing: list[dict], evidence: list[dict], *, first: bool) -> str:
    """The question for exactly the `missing` fields (and, once, the evidence to upload)."""
    questions, groups = [], set()
    for field in missing:  # one question per one-of group: its first field's
        if field.get("group"):
            if field["group"] in groups:
                continue
            groups.add(field["group"])
        questions.append(field["prompt"])
    if len(questions) == 1:
        text = questions[0]
    else:
        lines = [f"{i}. {q}" for i, q in enumerate(questions, start=1)]
        text = "为了尽快为您处理，请补充以下信息：\n" + "\n".join(lines)
    if first and evidence:
        text += "\n另外请准备好" + "、".join(f["label"] for f in evidence) + \
            "，工单建立后可以在工单页面上传。"
    return text
