"""Rule-based slots with exact shapes: waybills, phones, ticket numbers.

Waybills reuse logistics' carrier detection; customers write them with spaces, dashes and lower
case ("sf 1409 8217 3352 6"), so runs of letters and digits joined by single separators are
tried whole first, then piece by piece.
"""

import re

from logistics.carriers import candidate_carriers, is_valid_s10, normalize_waybill

# Runs of [A-Za-z0-9] joined by single spaces/dashes; the lookarounds keep us off the middle of
# a longer word.
_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:[ \-][A-Za-z0-9]+)*(?![A-Za-z0-9])")
_PHONE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
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
    """The whole run, else its parts, else pairs of adjacent parts (phone written 138 0013…)."""
    parts = re.split(r"[ \-]", run)
    yield run
    if len(parts) > 1:
        # Longest joins first: "SF1409821733526 13800138000" splits into a waybill and a phone.
        for size in range(len(parts) - 1, 0, -1):
            for start in range(0, len(parts) - size + 1):
                yield " ".join(parts[start:start + size])


def extract(text: str) -> dict[str, list[str]]:
    """{"waybill": [...], "phone": [...], "ticket_no": [...]}, canonical, in order of appearance."""
    found: dict[str, list[str]] = {"waybill": [], "phone": [], "ticket_no": []}
    for match in _RUN.finditer(text.replace("+86", " +86").replace("+ 86", "+86")):
        run = match.group(0)
        used: list[tuple[int, int]] = []
        for piece in _pieces(run):
            compact = normalize_waybill(piece).lstrip("+")
            kind = _classify(compact)
            if kind is None:
                continue
            start = run.find(piece)
            span = (start, start + len(piece))
            if any(s < span[1] and span[0] < e for s, e in used):
                continue
            used.append(span)
            if kind == "phone":
                compact = _PHONE.match(compact).group(1)
            if compact not in found[kind]:
                found[kind].append(compact)
            if span == (0, len(run)):
                break
    return {kind: values for kind, values in found.items() if values}
