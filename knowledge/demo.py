"""Demo knowledge base for seed_demo: articles and macros from knowledge/data/articles.py.
Idempotent: an article or macro whose key exists is left as ops may have edited it."""

from django.db import transaction

from knowledge import actions
from knowledge.data.articles import ARTICLES, MACROS
from knowledge.models import Article, Macro
from tickets.roles import system_user


def seed_knowledge() -> int:
    """Creates the missing demo articles (published) and macros; returns how many articles."""
    user = system_user()
    existing = set(Article.objects.values_list("slug", flat=True))
    created = 0
    with transaction.atomic():
        for spec in ARTICLES:
            if spec["slug"] in existing:
                continue
            article = Article(created_by=user, version=0)
            actions.do_save_article(article, acting_user=user, status="published", **spec)
            created += 1
        codes = set(Macro.objects.values_list("code", flat=True))
        for spec in MACROS:
            if spec["code"] not in codes:
                macro = Macro(created_by=user, **spec)
                macro.full_clean()
                macro.save()
    return created
