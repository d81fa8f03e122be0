from django.core.management.base import BaseCommand

from chatbot.nlu import model


class Command(BaseCommand):
    help = ("Trains the NLU (intent, emotion, HanLP span NER) from chatbot/data/nlu/train*.tsv, "
            "seeded, and saves a versioned model under NLU_MODEL_DIR.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--ner-epochs", type=int, default=12)
        parser.add_argument("--if-missing", action="store_true",
                            help="Do nothing when a model is already in place.")

    def handle(self, *args, seed, ner_epochs, if_missing, **options):
        if if_missing and model.current_dir() is not None:
            self.stdout.write(f"NLU model present: {model.current_dir().name}")
            return
        path = model.train(seed=seed, ner_epochs=ner_epochs, log=self.stdout.write)
        self.stdout.write(f"trained {path.name}")
