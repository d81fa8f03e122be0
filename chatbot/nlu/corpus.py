"""The annotated corpus (chatbot/data/nlu/*.tsv): utterance, intent, emotion, slots (JSON)."""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "nlu"
TRAIN_FILES = ("train.tsv", "train_extra.tsv")
HELDOUT = DATA / "heldout.tsv"


@dataclass
class Example:
    utterance: str
    intent: str = ""
    emotion: str = ""
    slots: dict = field(default_factory=dict)


def read_tsv(path) -> list[Example]:
    """Rows of a TSV with a header; only `utterance` is required (unlabelled input)."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if "utterance" not in (reader.fieldnames or []):
            raise ValueError(f"{path}: the header has no 'utterance' column")
        return [Example(row["utterance"], row.get("intent") or "", row.get("emotion") or "",
                        json.loads(row["slots"]) if row.get("slots") else {})
                for row in reader if row.get("utterance")]


def training_examples() -> list[Example]:
    return [ex for name in TRAIN_FILES if (DATA / name).exists() for ex in read_tsv(DATA / name)]
