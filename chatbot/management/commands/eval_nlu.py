import json

from django.core.management.base import BaseCommand, CommandError

from chatbot.nlu import corpus
from chatbot.nlu.evaluation import evaluate
from chatbot.nlu.pipeline import NluNotTrained


class Command(BaseCommand):
    help = ("Evaluates the NLU on an annotated TSV (utterance, intent, emotion, slots): accuracy, "
            "macro-F1, per-intent precision/recall, confusion matrix, slot F1.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, file, **options):
        try:
            examples = corpus.read_tsv(file)
            report = evaluate(examples)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        except NluNotTrained as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        w = self.stdout.write
        w(f"examples {report['examples']}  intent accuracy {report['accuracy']:.3f}  "
          f"macro-F1 {report['macro_f1']:.3f}  emotion accuracy {report['emotion_accuracy']:.3f}")
        t = report["threshold"]
        w(f"confidence ≥ {t['confidence']}: {t['answered']} answered, accuracy "
          f"{t['answered_accuracy']:.3f}; {t['asked']} below (clarifying question), "
          f"{t['asked_would_be_wrong']} of them would have been wrong")
        w("\nper intent            precision  recall    f1  support")
        for label, s in report["per_intent"].items():
            w(f"  {label:<20} {s['precision']:9.3f} {s['recall']:7.3f} {s['f1']:5.3f} "
              f"{s['support']:8d}")
        w("\nslots                 precision  recall    f1  gold")
        for name, s in report["slots"].items():
            w(f"  {name:<20} {s['precision']:9.3f} {s['recall']:7.3f} {s['f1']:5.3f} "
              f"{s['gold']:5d}")
        labels = report["confusion"]["labels"]
        short = [label[:6] for label in labels]
        w("\nconfusion (rows gold, columns predicted)")
        w(" " * 22 + " ".join(f"{s:>6}" for s in short))
        for label, row in zip(labels, report["confusion"]["matrix"], strict=True):
            w(f"  {label:<20}" + " ".join(f"{n:>6}" for n in row))
