"""The annotated corpus keeps its conventions (chatbot/data/nlu/README.md, Validation): the
vocabularies, canonical numbers that the text really contains, verbatim spans, and held-out
files that share no sentence with training."""

import json
import re

import pytest

from chatbot.nlu import corpus
from chatbot.nlu.normalize import normalize
from logistics.carriers import candidate_carriers, is_valid_s10

INTENTS = {"track_query", "urge_delivery", "lost_parcel", "damaged_parcel", "wrong_item",
           "signed_not_received", "change_delivery", "fee_dispute", "claim_progress",
           "complaint_service", "pickup_request", "ticket_progress", "human_agent", "chitchat",
           "other"}
SLOTS = {"waybill", "phone", "goods", "address", "location", "time", "ticket_no"}
GOODS = {"fresh", "valuable", "fragile", "document", "international"}
FILES = ("train.tsv", "train_extra.tsv", "heldout.tsv", "heldout_styles.tsv")


def _contains(text: str, number: str) -> bool:
    """The number is in the normalised text (digits read out included), not glued to more
    digits: with all separators removed ("138 0013 8000") or with spaces kept as boundaries
    (two numbers side by side)."""
    text = normalize(text).upper()
    pattern = rf"(?<!\d)(?:0{{0,2}}86)?{re.escape(number)}(?!\d)"
    return any(re.search(pattern, variant) for variant in (
        re.sub(r"[\s\-_.·]", "", text), re.sub(r"[\-_.·]", "", re.sub(r" ?- ?", "-", text))))


@pytest.mark.parametrize("name", FILES)
def test_rows_follow_the_conventions(name):
    lines = (corpus.DATA / name).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "utterance\tintent\temotion\tslots"
    seen, errors = set(), []
    for number, line in enumerate(lines[1:], 2):
        utterance, intent, emotion, raw = line.split("\t")
        slots = json.loads(raw)
        problems = [intent not in INTENTS, emotion not in {"neutral", "anxious", "angry"},
                    utterance in seen, set(slots) - SLOTS != set(),
                    json.dumps(slots, ensure_ascii=False, separators=(",", ":")) != raw]
        for value in slots.get("location", []) + slots.get("address", []) + slots.get("time", []):
            problems.append(value not in utterance)
        problems += [g not in GOODS for g in slots.get("goods", [])]
        for phone in slots.get("phone", []):
            problems.append(not re.fullmatch(r"1[3-9]\d{9}", phone)
                            or not _contains(utterance, phone))
        for waybill in slots.get("waybill", []):
            problems.append(not (candidate_carriers(waybill) or is_valid_s10(waybill)
                                 or re.fullmatch(r"7\d{11,14}", waybill))
                            or not _contains(utterance, waybill))
        if any(problems):
            errors.append(f"{name}:{number}: {utterance}")
        seen.add(utterance)
    assert not errors, errors[:10]


def test_heldout_styles_covers_every_intent_and_is_unseen():
    styles = corpus.read_tsv(corpus.DATA / "heldout_styles.tsv")
    assert len(styles) >= 400
    assert {ex.intent for ex in styles} == INTENTS
    others = {ex.utterance for name in ("train.tsv", "train_extra.tsv", "heldout.tsv")
              for ex in corpus.read_tsv(corpus.DATA / name)}
    assert not others & {ex.utterance for ex in styles}
