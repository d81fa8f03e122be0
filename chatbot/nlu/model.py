"""Training, saving and loading the NLU bundle: a versioned directory under NLU_MODEL_DIR with
the intent and emotion classifiers (joblib), the HanLP NER (its own save dir) and a manifest.
`current` names the version in use."""

import hashlib
import json
import random
import tempfile
import time
from pathlib import Path

import joblib
from django.conf import settings

from chatbot.nlu import classifier, corpus, ner


def model_root() -> Path:
    return Path(settings.NLU_MODEL_DIR)


def corpus_digest(examples) -> str:
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(f"{ex.utterance}\t{ex.intent}\t{ex.emotion}\t{ex.slots}\n".encode())
    return digest.hexdigest()[:12]


NER_SENTENCES = 1000


def ner_sample(examples, seed: int, limit: int = NER_SENTENCES):
    """A seeded sample for the recogniser: every sentence with an address (the slot it backs up
    in the pipeline), then other sentences with spans, then sentences without any for a third of
    the sample, `limit` in all (all 1009 eligible today): ~40 s of training on 2 cores."""
    rng = random.Random(seed)
    with_address = [e for e in examples if e.slots.get("address")]
    with_spans = [e for e in examples if not e.slots.get("address")
                  and any(e.slots.get(s) for s in ner.SPAN_SLOTS)]
    without = [e for e in examples if not any(e.slots.get(s) for s in ner.SPAN_SLOTS)]
    rng.shuffle(with_spans)
    rng.shuffle(without)
    empty = min(len(without), limit // 3)
    sample = (with_address + with_spans)[: limit - empty] + without[:empty]
    rng.shuffle(sample)
    return sample


def train(*, seed: int = 1, ner_epochs: int = 12, log=print) -> Path:
    """Trains everything from the training files (never the held-out split), reproducibly."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # One thread: on a shared 2-core machine torch's default threads thrash (33 s per NER epoch
    # under load instead of ~1 s) and the result is the same.
    torch.set_num_threads(1)
    examples = corpus.training_examples()
    digest = corpus_digest(examples)
    version = f"{time.strftime('%Y%m%d-%H%M%S')}-{digest}"
    target = model_root() / version
    target.mkdir(parents=True, exist_ok=False)
    started = time.monotonic()
    vectorizer = classifier.build_vectorizer()
    features = vectorizer.fit_transform([classifier.features_text(ex.utterance)
                                         for ex in examples])
    intent = classifier.build_classifier(seed).fit(features, [ex.intent for ex in examples])
    emotion = classifier.build_classifier(seed).fit(features, [ex.emotion for ex in examples])
    joblib.dump({"vectorizer": vectorizer, "intent": intent, "emotion": emotion},
                target / "classifiers.joblib")
    log(f"classifiers trained on {len(examples)} examples in {time.monotonic() - started:.1f} s")
    shuffled = ner_sample(examples, seed)
    dev = shuffled[: max(len(shuffled) // 10, 1)]
    with tempfile.TemporaryDirectory() as tmp:
        trn_tsv, dev_tsv = Path(tmp) / "trn.tsv", Path(tmp) / "dev.tsv"
        ner.write_tsv([(e.utterance, e.slots) for e in shuffled[len(dev):]], trn_tsv)
        ner.write_tsv([(e.utterance, e.slots) for e in dev], dev_tsv)
        ner.train(trn_tsv, dev_tsv, target / "ner", epochs=ner_epochs, seed=seed)
    log(f"span recogniser trained on {len(shuffled) - len(dev)} sentences "
        f"in {time.monotonic() - started:.1f} s")
    manifest = {"version": version, "seed": seed, "examples": len(examples),
                "corpus_sha256": digest, "ner_epochs": ner_epochs,
                "seconds": round(time.monotonic() - started, 1)}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    (model_root() / "current").write_text(version, encoding="utf-8")
    log(f"model {version} saved to {target} in {manifest['seconds']} s")
    return target


def current_dir() -> Path | None:
    pointer = model_root() / "current"
    if not pointer.exists():
        return None
    path = model_root() / pointer.read_text(encoding="utf-8").strip()
    return path if (path / "manifest.json").exists() else None


class Bundle:
    def __init__(self, path: Path):
        self.path = path
        self.manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        classifiers = joblib.load(path / "classifiers.joblib")
        self.vectorizer = classifiers["vectorizer"]
        self.intent, self.emotion = classifiers["intent"], classifiers["emotion"]
        if settings.NLU_TORCH_THREADS:
            import torch

            torch.set_num_threads(settings.NLU_TORCH_THREADS)
        self.ner = ner.load(path / "ner")
