"""Span slots (location, address, time) with HanLP's RNN named-entity recogniser, trained offline
on our corpus at character level with BIO tags.

HanLP 2.1.5 traps handled here: the CRF layer is built with `batch_first` unset, so it is set
after building and again after loading (otherwise training converges to ~0 F1); tokens are
characters joined with an empty `token_delimiter`; spaces become SPACE because HanLP's TSV reader
strips lines.
"""

from pathlib import Path

SPAN_SLOTS = ("location", "address", "time")
SPACE = "␣"


def chars(text: str) -> list[str]:
    return [SPACE if ch.isspace() else ch for ch in text]


def bio_tags(text: str, slots: dict) -> list[str]:
    """BIO tags for the verbatim span slots of one annotated utterance (longest spans first)."""
    tags = ["O"] * len(text)
    spans = [(value, slot) for slot in SPAN_SLOTS for value in slots.get(slot, [])]
    for value, slot in sorted(spans, key=lambda item: -len(item[0])):
        start = text.find(value)
        while start >= 0 and any(t != "O" for t in tags[start:start + len(value)]):
            start = text.find(value, start + 1)
        if start < 0:
            continue
        tags[start] = f"B-{slot}"
        for i in range(start + 1, start + len(value)):
            tags[i] = f"I-{slot}"
    return tags


def write_tsv(rows, path: Path) -> None:
    """rows: (text, slots) pairs → HanLP's char-per-line TSV, blank line between sentences."""
    with open(path, "w", encoding="utf-8") as out:
        for text, slots in rows:
            for ch, tag in zip(chars(text), bio_tags(text, slots), strict=True):
                out.write(f"{ch}\t{tag}\n")
            out.write("\n")


def _recognizer_class():
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    class Recognizer(RNNNamedEntityRecognizer):
        def build_model(self, **kwargs):
            model = super().build_model(**kwargs)
            if getattr(model, "crf", None) is not None:
                model.crf.batch_first = True
            return model

    return Recognizer


def train(train_tsv: Path, dev_tsv: Path, save_dir: Path, *, epochs: int = 30, seed: int = 1):
    import torch

    torch.manual_seed(seed)
    recognizer = _recognizer_class()()
    recognizer.fit(str(train_tsv), str(dev_tsv), str(save_dir), epochs=epochs, embed=64,
                   rnn_hidden=128, batch_size=32, crf=True, tagging_scheme="BIO",
                   token_delimiter="", patience=3, verbose=False, seed=seed)
    return recognizer


def load(save_dir: Path):
    recognizer = _recognizer_class()()
    recognizer.load(str(save_dir), devices=-1)
    if getattr(recognizer.model, "crf", None) is not None:
        recognizer.model.crf.batch_first = True
    return recognizer


def spans(recognizer, texts: list[str]) -> list[dict[str, list[str]]]:
    """Slot spans per text, copied from the original text by character offsets."""
    if not texts:
        return []
    outputs = recognizer.predict([chars(t) for t in texts])
    if texts and outputs and isinstance(outputs[0], tuple):
        outputs = [outputs]
    found = []
    for text, entities in zip(texts, outputs, strict=True):
        slots: dict[str, list[str]] = {}
        for _surface, label, begin, end in entities:
            value = text[begin:end].strip()
            if value and value not in slots.setdefault(label, []):
                slots[label].append(value)
        found.append({k: v for k, v in slots.items() if v})
    return found
