"""Search in the database, for when the in-memory index is not wanted (KB_SEARCH_BACKEND =
"database"): PostgreSQL matches the weighted 'simple' tsvector of the stored tokens through
its GIN index (migration 0002) and ranks with ts_rank_cd; SQLite narrows by the stored tokens
with LIKE and ranks the candidates with the same BM25F as search.py."""

from django.db import connection
from django.db.models import Q

from knowledge import search
from knowledge.choices import ArticleStatus
from knowledge.models import Article
from knowledge.text import tokens

_VECTOR = ("setweight(to_tsvector('simple', search_title), 'A') || "
           "setweight(to_tsvector('simple', search_keywords), 'B') || "
           "setweight(to_tsvector('simple', search_body), 'D')")
_FIELDS = ("id", "slug", "title", "summary", "body", "audience", "category__code",
           "search_title", "search_keywords", "search_body")


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(t for t in tokens(text) if not t.startswith("~")))


def search_database(text: str, *, audiences, limit: int = 10) -> list[search.Hit]:
    words = _words(text)
    if not words:
        return []
    base = Article.objects.filter(status=ArticleStatus.PUBLISHED, audience__in=list(audiences))
    if connection.vendor == "postgresql":
        query = " | ".join("'" + w.replace("'", "") + "'" for w in words)
        ids = list(base.extra(
            where=[f"({_VECTOR}) @@ to_tsquery('simple', %s)"], params=[query],
            select={"rank": f"ts_rank_cd('{{0.1, 0.2, 0.8, 1.0}}', {_VECTOR}, "
                             f"to_tsquery('simple', %s))"}, select_params=[query],
        ).order_by("-rank", "id").values_list("id", flat=True)[:max(limit * 5, 50)])
        candidates = base.filter(pk__in=ids)
    else:
        match = Q()
        for word in words:
            match |= (Q(search_title__contains=word) | Q(search_keywords__contains=word)
                      | Q(search_body__contains=word))
        candidates = base.filter(match)
    # Final order: the same BM25F as the in-memory index, over the candidates (idf from them
    # is close enough for ordering a short list; the chatbot uses the in-memory scores).
    rows = list(candidates.values(*_FIELDS).order_by("id"))
    return search.Index(rows, revision=-1).search(text, audiences=set(audiences), limit=limit)
