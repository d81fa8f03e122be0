"""The issue's quality gates on the held-out split (never trained on): intent accuracy ≥ 0.90,
macro-F1 ≥ 0.85, waybill and phone extraction F1 ≥ 0.98."""

from chatbot.nlu import corpus
from chatbot.nlu.evaluation import evaluate


def test_heldout_quality_gates(nlu_model):
    report = evaluate(corpus.read_tsv(corpus.HELDOUT))
    assert report["examples"] >= 450
    assert report["accuracy"] >= 0.90, report["accuracy"]
    assert report["macro_f1"] >= 0.85, report["macro_f1"]
    assert report["slots"]["waybill"]["f1"] >= 0.98
    assert report["slots"]["phone"]["f1"] >= 0.98


def test_heldout_is_not_in_training():
    train = {ex.utterance for ex in corpus.training_examples()}
    heldout = {ex.utterance for ex in corpus.read_tsv(corpus.HELDOUT)}
    assert not train & heldout
