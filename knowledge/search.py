"""Ranked article search: BM25F over pre-tokenised fields, held in memory per process.

Each process keeps one index built from the published articles' stored tokens together with
the value of the `articles` revision counter it was built at. Every write that changes what is
published bumps the counter in the same transaction (actions.py), and every search reads the
counter first (one primary-key lookup), so a change made in any process is seen by the next
search in every other one. A rebuild reads 2,000 articles in well under a second.

Scores: title and keywords count more than the body; single characters (`~x` tokens) count a
little so that typos still overlap. `coverage` is the share of the question's weight that the
article matches: the chatbot uses it to tell an answer from a coincidence.
"""

import math
import re
import threading
from dataclasses import dataclass, field

from knowledge.text import tokens

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.5, "body": 1.0}
CHAR_WEIGHT = 0.2  # weight of a single-character token relative to a word or bigram
K1, B = 1.2, 0.5
CHAR_POOL = 200  # best word matches that single characters may reorder
REVISION_KEY = "articles"
_SENTENCE = re.compile(r"[^。！？!?\n；;]+[。！？!?；;]?")
_MARKUP = re.compile(r"[#>*`_|\[\]()]+|^\s*[-+]\s+|^\s*\d+\.\s+", re.M)


def plain_text(markdown_text: str) -> str:
    return _MARKUP.sub("", markdown_text or "")


@dataclass
class Doc:
    id: int
    slug: str
    title: str
    audience: str
    category: str
    summary: str
    length: float
    body: str = ""
    _sentences: list | None = field(default=None, repr=False)

    @property
    def sentences(self) -> list[str]:
        """The body's sentences, split the first time a hit needs a snippet."""
        if self._sentences is None:
            self._sentences = [s.strip() for s in _SENTENCE.findall(plain_text(self.body))
                               if s.strip()]
        return self._sentences


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


@dataclass
class Hit:
    id: int
    slug: str
    title: str
    snippet: str
    score: float
    coverage: float
    audience: str
    category: str
    summary: str


class Index:
    def __init__(self, rows, revision: int):
        self.revision = revision
        self.docs: list[Doc] = []
        # Words and bigrams → postings; single characters are kept per document instead (their
        # postings would span nearly every article and dominate the cost of a query).
        self.postings: dict[str, list[tuple[int, float]]] = {}
        self.chars: list[dict[str, float]] = []
        char_df: dict[str, int] = {}
        total = 0.0
        for row in rows:
            tf: dict[str, float] = {}
            chars: dict[str, float] = {}
            length = 0.0
            for name, weight in FIELD_WEIGHTS.items():
                for token in (row[f"search_{name}"] or "").split():
                    if token.startswith("~"):
                        chars[token] = chars.get(token, 0.0) + weight * CHAR_WEIGHT
                        length += weight * CHAR_WEIGHT
                    else:
                        tf[token] = tf.get(token, 0.0) + weight
                        length += weight
            doc_index = len(self.docs)
            self.docs.append(Doc(row["id"], row["slug"], row["title"], row["audience"],
                                 row["category__code"], row["summary"] or "", length,
                                 row["body"]))
            self.chars.append(chars)
            for token in chars:
                char_df[token] = char_df.get(token, 0) + 1
            total += length
            for token, value in tf.items():
                self.postings.setdefault(token, []).append((doc_index, value))
        self.avg_length = total / len(self.docs) if self.docs else 1.0
        n = len(self.docs)
        self.idf = {t: _idf(n, len(p)) for t, p in self.postings.items()}
        self.idf.update({t: _idf(n, c) for t, c in char_df.items()})
        self.unknown_idf = _idf(n, 0) if n else 1.0

    def _norm(self, tf: float, doc: Doc) -> float:
        return tf * (K1 + 1) / (tf + K1 * (1 - B + B * doc.length / self.avg_length))

    def search(self, text: str, *, audiences, limit: int = 10) -> list[Hit]:
        query = tokens(text)
        if not query or not self.docs:
            return []
        weights: dict[str, float] = {}
        for token in query:
            weights[token] = weights.get(token, 0.0) + (
                CHAR_WEIGHT if token.startswith("~") else 1.0)
        scores: dict[int, float] = {}
        matched: dict[int, float] = {}
        possible = 0.0
        char_query = []
        for token, qw in weights.items():
            # An unknown word still counts in what the question asks (it lowers coverage),
            # capped so one odd word does not outweigh the rest.
            idf = self.idf.get(token, min(self.unknown_idf, 3.0))
            possible += qw * idf
            if token.startswith("~"):
                if token in self.idf:
                    char_query.append((token, qw, idf))
                continue
            for doc_index, tf in self.postings.get(token, ()):
                doc = self.docs[doc_index]
                if doc.audience not in audiences:
                    continue
                scores[doc_index] = scores.get(doc_index, 0.0) + qw * idf * self._norm(tf, doc)
                matched[doc_index] = matched.get(doc_index, 0.0) + qw * idf
        if char_query:
            # Characters refine the best word matches; alone (a question of typos only) they
            # are looked up over every document.
            pool = (sorted(scores, key=scores.__getitem__, reverse=True)[:CHAR_POOL] if scores
                    else [i for i, d in enumerate(self.docs) if d.audience in audiences])
            for doc_index in pool:
                chars, doc = self.chars[doc_index], self.docs[doc_index]
                for token, qw, idf in char_query:
                    tf = chars.get(token)
                    if tf:
                        scores[doc_index] = (scores.get(doc_index, 0.0)
                                             + qw * idf * self._norm(tf, doc))
                        matched[doc_index] = matched.get(doc_index, 0.0) + qw * idf
        best = sorted(scores.items(), key=lambda kv: (-kv[1], self.docs[kv[0]].id))[:limit]
        query_set = frozenset(t for t in query if not t.startswith("~"))
        return [self._hit(self.docs[i], score, matched[i] / possible if possible else 0.0,
                          query_set) for i, score in best]

    def _hit(self, doc: Doc, score: float, coverage: float, query_set) -> Hit:
        snippet = doc.summary
        best = 0
        # The sentence holding most of the question's words (canonical synonyms and bigrams
        # are substrings of the text they came from, so a substring test is enough here).
        for sentence in doc.sentences:
            overlap = sum(1 for token in query_set if token in sentence)
            if overlap > best:
                best, snippet = overlap, sentence
        if not snippet and doc.sentences:
            snippet = doc.sentences[0]
        return Hit(doc.id, doc.slug, doc.title, snippet[:120], round(score, 4),
                   round(coverage, 4), doc.audience, doc.category, doc.summary)


_lock = threading.Lock()
_index: Index | None = None


def current_revision() -> int:
    from knowledge.models import KbRevision

    value = KbRevision.objects.filter(key=REVISION_KEY).values_list("value", flat=True).first()
    return value or 0


def build(revision: int) -> Index:
    from knowledge.choices import ArticleStatus
    from knowledge.models import Article

    rows = Article.objects.filter(status=ArticleStatus.PUBLISHED).values(
        "id", "slug", "title", "summary", "body", "audience", "category__code",
        "search_title", "search_keywords", "search_body").order_by("id")
    return Index(list(rows), revision)


def index() -> Index:
    """The index at the database's current revision (rebuilt here when another process or
    this one changed the articles)."""
    global _index
    revision = current_revision()
    current = _index
    if current is not None and current.revision == revision:
        return current
    with _lock:
        if _index is None or _index.revision != revision:
            _index = build(revision)
        return _index


def reset() -> None:
    global _index
    _index = None
