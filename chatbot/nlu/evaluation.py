"""Scores of the NLU on an annotated TSV: intent accuracy, macro-F1, per-intent precision and
recall, the confusion matrix, slot F1 per slot, emotion accuracy, and how the confidence
threshold of the dialogue (below it the bot asks what the customer means) splits the messages.

Span slots (location, address, time) are annotated verbatim, the pipeline reads them off the
normalised text: both sides are compared normalised (東莞 = 东莞, ３天 = 3天)."""

from collections import Counter

from chatbot.nlu.normalize import normalize
from chatbot.nlu.pipeline import SLOT_NAMES, understand

SPAN_SLOTS = ("location", "address", "time")
# chatbot.dialogue.policy.UNSURE: below this the dialogue asks a clarifying question.
UNSURE = 0.45


def _f1(tp, fp, fn) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(examples) -> dict:
    gold, predicted, emotions, confident = [], [], 0, []
    slot_counts = {name: [0, 0, 0] for name in SLOT_NAMES}
    for example in examples:
        result = understand(example.utterance)
        gold.append(example.intent)
        predicted.append(result["intent"])
        confident.append(result["confidence"] >= UNSURE)
        emotions += result["emotion"] == example.emotion
        for name in SLOT_NAMES:
            want, got = set(example.slots.get(name, [])), set(result["slots"].get(name, []))
            if name in SPAN_SLOTS:
                want, got = {normalize(v) for v in want}, {normalize(v) for v in got}
            counts = slot_counts[name]
            counts[0] += len(want & got)
            counts[1] += len(got - want)
            counts[2] += len(want - got)
    labels = sorted(set(gold) | set(predicted))
    per_intent = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        precision, recall, f1 = _f1(tp, fp, fn)
        per_intent[label] = {"precision": precision, "recall": recall, "f1": f1,
                             "support": gold.count(label)}
    supported = [v["f1"] for v in per_intent.values() if v["support"]]
    slots = {}
    for name, (tp, fp, fn) in slot_counts.items():
        precision, recall, f1 = _f1(tp, fp, fn)
        slots[name] = {"precision": precision, "recall": recall, "f1": f1, "gold": tp + fn}
    confusion = Counter(zip(gold, predicted, strict=True))
    answered = [(g, p) for g, p, sure in zip(gold, predicted, confident, strict=True) if sure]
    unsure = [(g, p) for g, p, sure in zip(gold, predicted, confident, strict=True) if not sure]
    return {
        "examples": len(gold),
        "accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1),
        "macro_f1": sum(supported) / max(len(supported), 1),
        "per_intent": per_intent,
        "confusion": {"labels": labels,
                      "matrix": [[confusion[(g, p)] for p in labels] for g in labels]},
        "slots": slots,
        "emotion_accuracy": emotions / max(len(gold), 1),
        "threshold": {
            "confidence": UNSURE,
            "answered": len(answered),
            "answered_accuracy": sum(g == p for g, p in answered) / max(len(answered), 1),
            "asked": len(unsure),
            "asked_would_be_wrong": sum(g != p for g, p in unsure),
        },
    }
