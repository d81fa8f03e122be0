"""understand(text): normalisation → rule slots → lexicon → classifiers → span slots.

Output: {"intent", "confidence", "slots": {waybill, phone, goods, address, location, time,
ticket_no}, "emotion", "waybills"}. `slots` holds exactly the shared slot vocabulary (DESIGN.md),
each a list of strings (waybill: canonical numbers). `waybills` details each number of
slots["waybill"], in the same order: {"number", "carrier", "carrier_name"} — the carrier from
logistics' detection, or a carrier named in the message that fits the number; null when unsure.
The model bundle loads once per process; without a trained model the caller gets NluNotTrained
(run `python manage.py train_nlu`).
"""

import re
import threading

from django.conf import settings

from chatbot.nlu import classifier, lexicon, ner, patterns, spans
from chatbot.nlu.model import Bundle, current_dir
from chatbot.nlu.normalize import canonical, normalize
from config.errors import DomainError

SLOT_NAMES = ("waybill", "phone", "goods", "address", "location", "time", "ticket_no")
# Threats and insults that make a message angry whatever the classifier thinks.
ANGER_MARKERS = re.compile(
    r"(?:12315|12305|消协|曝光|报警|起诉|垃圾|骗子|滚|投诉到|找媒体|你妈的|他妈的|傻逼|操你妈"
    r"|[!！]{3,}|[😡🤬😤💢]{2,})")
# Address cues: the (slower) neural recogniser only runs when the street rules found nothing
# and one of these is present (not the 号 of 单号, 尾号 or 号码).
_ADDRESSY = re.compile(r"[路街巷弄村镇]|小区|大厦|公寓|花园|园区|\d+(?:号楼|栋|幢|楼|室|单元|座)"
                       r"|[省市区县]\S{0,12}\d|(?:送到|寄到|送去|改到|改成|地址)")

_lock = threading.Lock()
_bundle: Bundle | None = None
_pretrained = None


class NluNotTrained(DomainError, RuntimeError):
    """No trained model on this node: the API answers 503 `nlu_unavailable` (the message is
    not taken, the client may send it again), commands print the hint."""

    status_code = 503
    code = "nlu_unavailable"


def bundle() -> Bundle:
    global _bundle
    if _bundle is None:
        with _lock:
            if _bundle is None:
                path = current_dir()
                if path is None:
                    raise NluNotTrained("no NLU model: run `python manage.py train_nlu`")
                _bundle = Bundle(path)
    return _bundle


def reset() -> None:
    global _bundle
    _bundle = None


def _pretrained_ner():
    """A pretrained HanLP NER named in settings (needs the HanLP hub; empty by default)."""
    global _pretrained
    if _pretrained is None and settings.HANLP_PRETRAINED_NER:
        import hanlp

        _pretrained = hanlp.load(settings.HANLP_PRETRAINED_NER)
    return _pretrained


_PRETRAINED_LABELS = {"NS": "location", "LOCATION": "location", "GPE": "location",
                      "LOC": "location", "T": "time", "TIME": "time", "DATE": "time"}


def _pretrained_spans(text: str) -> dict[str, list[str]]:
    model = _pretrained_ner()
    if model is None:
        return {}
    found: dict[str, list[str]] = {}
    for surface, label, *_ in model(list(text)):
        slot = _PRETRAINED_LABELS.get(label)
        if slot:
            found.setdefault(slot, []).append(surface)
    return found


def understand(text: str) -> dict:
    model = bundle()
    clean = normalize(text)
    folded = canonical(clean)
    features = model.vectorizer.transform([classifier.mask_numbers(folded)])
    intent, confidence = classifier.predict(model.intent, features)
    emotion, _ = classifier.predict(model.emotion, features)
    if emotion != "angry" and ANGER_MARKERS.search(folded):
        emotion = "angry"
    slots = {name: [] for name in SLOT_NAMES}
    slots.update(patterns.extract(clean.upper()))
    slots["goods"] = lexicon.goods(folded)
    span_slots = spans.rule_spans(clean)
    if not span_slots.get("address") and _ADDRESSY.search(clean):
        # The recogniser only fills in addresses the street rules do not see (小区, 村, 大厦).
        span_slots = spans.merge(span_slots, {"address": ner.spans(model.ner, [clean])[0].get(
            "address", [])})
    span_slots = spans.merge(span_slots, _pretrained_spans(clean))
    for name in ("location", "time", "address"):
        slots[name] = span_slots.get(name, [])
    return {"intent": intent, "confidence": round(confidence, 4), "slots": slots,
            "emotion": emotion, "waybills": patterns.waybill_carriers(slots["waybill"], clean)}
