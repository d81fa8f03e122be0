import json

from django.core.management.base import BaseCommand, CommandError

from chatbot.nlu import corpus
from chatbot.nlu.pipeline import NluNotTrained, understand


class Command(BaseCommand):
    help = ('Prints {"intent", "confidence", "slots", "emotion", "waybills"} for TEXT (waybills: '
            'the carrier of each slots.waybill number), or one JSON object per row of a TSV whose '
            "header has an `utterance` column (--tsv FILE).")

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?")
        parser.add_argument("--tsv", metavar="FILE")

    def handle(self, *args, text=None, tsv=None, **options):
        if bool(text) == bool(tsv):
            raise CommandError('give either "TEXT" or --tsv FILE')
        try:
            if text:
                self.stdout.write(json.dumps(understand(text), ensure_ascii=False))
                return
            try:
                rows = corpus.read_tsv(tsv)
            except (OSError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            for row in rows:
                result = {"utterance": row.utterance, **understand(row.utterance)}
                self.stdout.write(json.dumps(result, ensure_ascii=False))
        except NluNotTrained as exc:
            raise CommandError(str(exc)) from exc
