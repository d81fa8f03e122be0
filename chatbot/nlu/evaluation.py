"""Scores of the NLU on an annotated TSV: intent accuracy, macro-F1, per-intent precision and
recall, the confusion matrix, slot F1 per slot, emotion accuracy."""

from collections import Counter

from chatbot.nlu.pipeline import SLOT_NAMES, understand


def _f1(tp, fp, fn) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(examples) -> dict:
    gold, predicted, emotions = [], [], 0
    slot_counts = {name: [0, 0, 0] for name in SLOT_NAMES}
    for example in examples:
        result = understand(example.utterance)
        gold.append(example.intent)
        predicted.append(result["intent"])
        emotions += result["emotion"] == example.emotion
        for name in SLOT_NAMES:
            want, got = set(example.slots.get(name, [])), set(result["slots"].get(name, []))
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
    return {
        "examples": len(gold),
        "accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1),
        "macro_f1": sum(supported) / max(len(supported), 1),
        "per_intent": per_intent,
        "confusion": {"labels": labels,
                      "matrix": [[confusion[(g, p)] for p in labels] for g in labels]},
        "slots": slots,
        "emotion_accuracy": emotions / max(len(gold), 1),
    }
