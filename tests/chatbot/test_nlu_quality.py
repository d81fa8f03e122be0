"""The issue's quality gates on the two held-out files (never trained on): intent accuracy
≥ 0.90, macro-F1 ≥ 0.85, waybill and phone extraction F1 ≥ 0.98 — each gate set just under what
the model reaches (chatbot/data/nlu/README.md has the figures).

- heldout.tsv: unseen messages whose styles train_extra now covers;
- heldout_styles.tsv: unseen messages in styles absent from training (voice transcripts, 东北/
  粤语/川渝 wording, pinyin slang, forwarded tracking SMS, numbers in Chinese digits …)."""

import pytest

from chatbot.nlu import corpus
from chatbot.nlu.evaluation import evaluate

# file: (accuracy, macro-F1, waybill F1, phone F1, location F1, time F1, address F1, goods F1)
# Reached (train_nlu, seed 1): heldout 0.955 / 0.954 / 1.0 / 1.0 / 0.800 / 0.812 / 0.467 / 0.804,
# heldout_styles 0.947 / 0.946 / 1.0 / 1.0 / 0.964 / 0.915 / 1.000 / 0.871. Address comes partly
# from the recogniser, which the test fixture trains for 2 epochs only: its gates are looser.
GATES = {
    "heldout.tsv": (0.94, 0.94, 0.99, 0.99, 0.75, 0.78, 0.30, 0.78),
    "heldout_styles.tsv": (0.93, 0.93, 0.99, 0.98, 0.92, 0.88, 0.60, 0.82),
}


@pytest.fixture(scope="module")
def reports(nlu_model):
    return {name: evaluate(corpus.read_tsv(corpus.DATA / name)) for name in GATES}


@pytest.mark.parametrize("name", sorted(GATES))
def test_heldout_quality_gates(reports, name):
    accuracy, macro_f1, waybill, phone, location, time, address, goods = GATES[name]
    report = reports[name]
    assert report["examples"] >= 400
    assert report["accuracy"] >= max(accuracy, 0.90), report["accuracy"]
    assert report["macro_f1"] >= max(macro_f1, 0.85), report["macro_f1"]
    assert len(report["per_intent"]) == 15
    slots = report["slots"]
    assert slots["waybill"]["f1"] >= max(waybill, 0.98), slots["waybill"]
    assert slots["phone"]["f1"] >= max(phone, 0.98), slots["phone"]
    assert slots["location"]["f1"] >= location, slots["location"]
    assert slots["time"]["f1"] >= time, slots["time"]
    assert slots["address"]["f1"] >= address, slots["address"]
    assert slots["goods"]["f1"] >= goods, slots["goods"]


def test_heldout_files_are_not_in_training():
    train = {ex.utterance for ex in corpus.training_examples()}
    for name in GATES:
        heldout = {ex.utterance for ex in corpus.read_tsv(corpus.DATA / name)}
        assert not train & heldout, name
