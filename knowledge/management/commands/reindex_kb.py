from django.core.management.base import BaseCommand

from knowledge.actions import do_reindex_articles


class Command(BaseCommand):
    help = "Re-tokenises every article (after the synonym list or the tokeniser changed)."

    def handle(self, *args, **options):
        self.stdout.write(f"{do_reindex_articles()} articles re-indexed")
