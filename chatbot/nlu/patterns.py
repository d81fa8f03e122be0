"""Rule-based slots with exact shapes: waybills, phones, ticket numbers.

Waybills reuse logistics' carrier detection; customers write them with spaces, dashes and lower
case ("sf 1409 8217 3352 6"), so runs of letters and digits joined by single separators are
tried whole first, then piece by piece.
"""

import re

from logistics.carriers import (
    CARRIERS,
    candidate_carriers,
    detect_carrier,
    is_valid_s10,
    normalize_waybill,
)

# Runs of [A-Za-z0-9] joined by single separators (a space, or a dash, dot or underscore with
# at most one space either side: "7581 - 2204"); the lookarounds keep us off the middle of a
# longer word.
_SEP = r"(?: ?[\-_.·] ?| )"
_RUN = re.compile(rf"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:{_SEP}[A-Za-z0-9]+)*(?![A-Za-z0-9])")
_SPLIT = re.compile(_SEP)
# An order number (订单号 2026112312345678) has the shape of a generic waybill: a run right after
# one of these words is only taken when a carrier's pattern knows it.
# A generic number does not take in a separate word on its left ("for 796029953825985").
_LETTERS_APART = re.compile(rf"^[A-Za-z]+{_SEP}")
_ORDER = re.compile(r"(?:订单号?|订单编号|order(?: no\.?| number| #)?)[:： ]*$", re.IGNORECASE)
_PHONE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")
_TICKET = re.compile(r"^TK\d{14}$")
# A carrier's number without a recognised pattern: letters then 10–20 digits, or 12–15 digits.
_GENERIC = re.compile(r"^(?:[A-Z]{1,4}\d{10,20}[A-Z]{0,2}|\d{12,15})$")


def _classify(compact: str) -> str | None:
    if _PHONE.match(compact):
        return "phone"
    if _TICKET.match(compact):
        return "ticket_no"
    if candidate_carriers(compact) or is_valid_s10(compact) or _GENERIC.match(compact):
        return "waybill"
    return None


def _pieces(run: str):
    """(begin, end) in `run`: the whole run, else joins of fewer adjacent parts, longest first
    ("SF1409821733526 13800138000" splits into a waybill and a phone; "138 0013 8000" and a
    waybill next to it still join into the phone)."""
    parts = [m.span() for m in re.finditer(r"[A-Za-z0-9]+", run)]
    yield 0, len(run)
    for size in range(len(parts) - 1, 0, -1):
        for start in range(0, len(parts) - size + 1):
            yield parts[start][0], parts[start + size - 1][1]


def extract(text: str) -> dict[str, list[str]]:
    """{"waybill": [...], "phone": [...], "ticket_no": [...]}, canonical, in order of appearance."""
    found: dict[str, list[str]] = {"waybill": [], "phone": [], "ticket_no": []}
    text = text.replace("+86", " +86").replace("+ 86", "+86")
    hits: list[tuple[int, str, str]] = []
    for match in _RUN.finditer(text):
        run = match.group(0)
        after_order = bool(_ORDER.search(text[max(match.start() - 12, 0):match.start()]))
        used: list[tuple[int, int]] = []
        # First the pieces with a known shape (phone, ticket, a carrier's pattern), then generic
        # numbers in what is left: "tracking no SF568273379196" is SF…, not NOSF….
        for known in (True, False):
            for begin, end in _pieces(run):
                piece = run[begin:end]
                compact = normalize_waybill(_SPLIT.sub("", piece))
                kind = _classify(compact)
                if kind is None or any(b < end and begin < e for b, e in used):
                    continue
                shaped = kind != "waybill" or bool(candidate_carriers(compact)
                                                   or is_valid_s10(compact))
                if known != shaped:
                    continue
                if not shaped and (after_order or _LETTERS_APART.match(piece)):
                    continue
                used.append((begin, end))
                if kind == "phone":
                    compact = _PHONE.match(compact).group(1)
                hits.append((match.start() + begin, kind, compact))
    for _position, kind, compact in sorted(hits):
        if compact not in found[kind]:
            found[kind].append(compact)
    return {kind: values for kind, values in found.items() if values}


# Carrier names customers write next to a number: they settle numbers whose format fits several
# carriers (43… is both 申通 and 韵达) and name the carrier of numbers no pattern knows.
CARRIER_WORDS = {
    "sf": ("顺丰", "sf express", "shunfeng"), "jd": ("京东",), "yto": ("圆通",),
    "zto": ("中通",), "sto": ("申通",), "yunda": ("韵达",), "ems": ("邮政", "ems", "china post"),
    "jt": ("极兔", "j&t"), "deppon": ("德邦",), "best": ("百世",),
}


def named_carriers(text: str) -> list[str]:
    lowered = text.lower()
    return [code for code, words in CARRIER_WORDS.items() if any(w in lowered for w in words)]


def waybill_carriers(numbers: list[str], text: str) -> list[dict]:
    """One entry per extracted waybill: {"number", "carrier", "carrier_name"}, the carrier from
    logistics' detection (a unique pattern match), else from a carrier the customer named that
    fits the number (or the only one named, when no pattern knows the number); None if unsure."""
    named = named_carriers(text)
    found = []
    for number in numbers:
        carrier = detect_carrier(number)
        if carrier is None:
            candidates = candidate_carriers(number)
            fitting = ([c for c in named if c in candidates] if candidates
                       else named if len(numbers) == 1 else [])
            carrier = fitting[0] if len(fitting) == 1 else None
        found.append({"number": number, "carrier": carrier,
                      "carrier_name": CARRIERS.get(carrier) if carrier else None})
    return found
