"""Automatic checks on what the customer reads: every staff reply to the customer and the
resolution, before a reviewer (or the sampling policy) sees the ticket.

Plain functions over text and ticket facts; tickets/actions/review.py stores what they find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save

from config.masking import mask_address, mask_text
from config.snapshot import ProcessSnapshot
from tickets import hooks
from tickets.choices import FindingKind
from tickets.models import ForbiddenPhrase
from tickets.quality import fields as template_fields

# A promise word right after one of these is not a promise (不保证, 无法一定).
NEGATIONS = ("不", "无法", "不能", "没法", "难以", "未必", "不敢", "没有")
GAP = 6  # at most this many characters between the words of a phrase
_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_HAN = "\u4e00-\u9fa5"
# A street address down to the door: 文三路100号2单元301室, 漕溪北路1200弄3号楼.
_ADDRESS = re.compile(
    rf"(?:[{_HAN}]{{1,8}}(?:省|自治区|市|区|县|镇|乡))*[{_HAN}A-Za-z0-9]{{0,12}}?"
    r"(?:路|街|大道|巷|弄|胡同|村|小区|花园|公寓|大厦)"
    rf"[{_HAN}A-Za-z0-9\-]{{0,8}}?\d+\s*(?:号楼|栋|幢|单元|室|层)[{_HAN}A-Za-z0-9\-]{{0,8}}")


@dataclass
class Hit:
    kind: str
    excerpt: str
    detail: dict = field(default_factory=dict)


def _load_phrases() -> list[tuple[str, re.Pattern]]:
    out = []
    for phrase in ForbiddenPhrase.objects.filter(active=True).values_list("phrase", flat=True):
        parts = [re.escape(p) for p in phrase.split() if p]
        if parts:
            out.append((phrase, re.compile(f".{{0,{GAP}}}?".join(parts))))
    return out


_phrases = ProcessSnapshot(_load_phrases, ttl_setting="CATALOG_TTL")
post_save.connect(_phrases.clear, sender=ForbiddenPhrase, dispatch_uid="phrases-save")
post_delete.connect(_phrases.clear, sender=ForbiddenPhrase, dispatch_uid="phrases-delete")


def _excerpt(text: str, start: int, end: int, width: int = 12) -> str:
    piece = text[max(start - width, 0):end + width].replace("\n", " ")
    return mask_text(_ADDRESS.sub(lambda m: mask_address(m.group(0)), piece))[:200]


def promise_hits(text: str, phrases=None) -> list[Hit]:
    hits = []
    for phrase, pattern in (phrases if phrases is not None else _phrases.get()):
        for match in pattern.finditer(text):
            before = text[max(match.start() - 2, 0):match.start()]
            if any(before.endswith(word) for word in NEGATIONS):
                continue
            hits.append(Hit(FindingKind.FORBIDDEN_PROMISE,
                            _excerpt(text, match.start(), match.end()),
                            {"phrase": phrase}))
            break  # one finding per phrase and text
    return hits


def phone_hits(text: str) -> list[Hit]:
    return [Hit(FindingKind.UNMASKED_PHONE, _excerpt(text, m.start(), m.end()))
            for m in _PHONE.finditer(text)]


def address_hits(text: str, known_addresses=()) -> list[Hit]:
    hits, spans = [], []
    for m in _ADDRESS.finditer(text):
        spans.append((m.start(), m.end()))
        hits.append(Hit(FindingKind.UNMASKED_ADDRESS, _excerpt(text, m.start(), m.end())))
    for address in known_addresses:  # the customer's own address, written out in full
        start = text.find(address) if address and len(address) >= 6 else -1
        if start >= 0 and not any(s <= start < e for s, e in spans):
            hits.append(Hit(FindingKind.UNMASKED_ADDRESS,
                            _excerpt(text, start, start + len(address)),
                            {"known_address": True}))
    return hits


def text_hits(text: str, *, known_addresses=()) -> list[Hit]:
    """Everything wrong with one customer-visible text."""
    return [*promise_hits(text), *phone_hits(text), *address_hits(text, known_addresses)]


def known_addresses(ticket) -> list[str]:
    """The customer's addresses the ticket knows: address fields of its template, the
    chatbot's address slots."""
    found = [str(v) for f in template_fields.fields_for(ticket.category_id)
             if f.kind == "address" and (v := (ticket.form_values or {}).get(f.code))]
    slots = (ticket.context or {}).get("slots") or {}
    found += [a for a in slots.get("address", []) if isinstance(a, str)]
    return found


def ticket_hits(ticket, attachments) -> list[Hit]:
    """Checks on the case as a whole: required evidence, a knowledge-base reference."""
    hits = []
    proofs = template_fields.evidence_status(ticket.category_id, attachments)
    labels = {f.code: f.label for f in template_fields.fields_for(ticket.category_id)}
    required = {f.code for f in template_fields.fields_for(ticket.category_id) if f.required}
    for code, ids in proofs.items():
        if code in required and not ids:
            hits.append(Hit(FindingKind.MISSING_EVIDENCE, labels[code], {"field": code}))
    if ticket.category.requires_kb_reference and not hooks.kb_references(ticket):
        hits.append(Hit(FindingKind.MISSING_KB_REFERENCE, ticket.category.name,
                        {"category": ticket.category.code}))
    return hits
