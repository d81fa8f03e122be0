import csv

from django.core.management.base import BaseCommand, CommandError

from knowledge import selectors
from knowledge.demo import seed_knowledge
from knowledge.models import Article


class Command(BaseCommand):
    help = ("Retrieval evaluation: FILE.tsv lines `question<TAB>article key`; prints top-1 and "
            "top-3 hit rates over customer articles (loads the demo articles if missing).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--misses", action="store_true", help="List the questions missed.")
        parser.add_argument("--bot", metavar="NOT_ARTICLES_TSV", help=(
            "Also run the chatbot's decision (needs a trained NLU model) on every question and "
            "on these messages, which must not be answered with an article."))

    def handle(self, *args, file, misses=False, bot=None, **options):
        created = seed_knowledge()
        if created:
            self.stdout.write(f"loaded {created} demo articles")
        try:
            with open(file, encoding="utf-8") as handle:
                rows = [r for r in csv.reader(handle, delimiter="\t")
                        if r and r[0].strip() and not r[0].startswith("#")]
        except OSError as error:
            raise CommandError(str(error)) from None
        slugs = set(Article.objects.values_list("slug", flat=True))
        unknown = sorted({r[1] for r in rows if r[1] not in slugs})
        if unknown:
            raise CommandError(f"unknown article keys: {', '.join(unknown)}")
        top1 = top3 = 0
        missed = []
        for question, slug, *_rest in rows:
            hits = [h.slug for h in selectors.search_hits(question, audiences=("customer",),
                                                           limit=3)]
            top1 += bool(hits[:1] == [slug])
            top3 += slug in hits
            if hits[:1] != [slug]:
                missed.append((question, slug, hits))
        n = len(rows)
        self.stdout.write(f"questions: {n}")
        self.stdout.write(f"top-1: {top1 / n:.1%} ({top1}/{n})")
        self.stdout.write(f"top-3: {top3 / n:.1%} ({top3}/{n})")
        if misses:
            for question, slug, hits in missed:
                mark = "top3" if slug in hits else "MISS"
                self.stdout.write(f"{mark}\t{question}\t{slug}\t{' '.join(hits)}")
        if bot:
            self._bot(rows, bot, misses)

    def _bot(self, rows, path, verbose):
        """What the chatbot would do: answer with the right article, a wrong one, or decline
        (dialogue / fallback). No conversation is written."""
        from chatbot.nlu.pipeline import understand
        from knowledge import bot

        def decide(text):
            how = bot.mode(text, understanding := understand(text))
            hit = None if how is None else bot.best_article(text, strict=how == "strict")
            return hit, understanding

        right = wrong = declined = 0
        for question, slug, *_rest in rows:
            hit, understanding = decide(question)
            if hit is None:
                declined += 1
            elif hit.slug == slug:
                right += 1
            else:
                wrong += 1
                if verbose:
                    self.stdout.write(f"WRONG\t{question}\t{slug}\t{hit.slug}")
        with open(path, encoding="utf-8") as handle:
            negatives = [line.strip() for line in handle
                         if line.strip() and not line.startswith("#")]
        answered = [(text, hit.slug) for text in negatives if (hit := decide(text)[0])]
        n = len(rows)
        self.stdout.write(f"bot on the questions: right article {right}/{n}, wrong article "
                          f"{wrong}/{n}, declined (dialogue/fallback) {declined}/{n}")
        self.stdout.write(f"bot on {len(negatives)} case/off-topic messages: answered with an "
                          f"article {len(answered)}")
        for text, slug in answered:
            self.stdout.write(f"ANSWERED\t{text}\t{slug}")
