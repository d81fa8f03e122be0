"""Agent assist: articles and similar closed tickets next to a ticket, macros applied through
tickets' actions, and the digests of closed tickets that similarity compares against.

Similar tickets: a closed ticket is reduced once (when it closes: the `on_transition` hook, or
`index_closed_tickets` for the backlog) to a digest row of its distinct search tokens plus
trajectory markers (`st:` shipment status, `goods:`, `reopened`, `breached`). A suggestion reads
the most recent digests of the ticket's category through one index range scan
(`kb_digest_cat_closed`) and ranks them by weighted token overlap (in SQL on PostgreSQL, in
Python elsewhere), so its cost is bounded by SIMILAR_CANDIDATES, not by how many tickets were
ever closed.
"""

import math

from django.db import connection, transaction
from django.utils.translation import gettext as _

from config.errors import DomainError, NotFound
from config.masking import mask_text
from knowledge import actions, selectors
from knowledge.choices import Audience, UsageKind
from knowledge.macros import render, ticket_variables
from knowledge.models import Article, Macro, TicketDigest
from knowledge.text import tokens
from tickets import actions as ticket_actions
from tickets import selectors as ticket_selectors

SIMILAR_CANDIDATES = 1000  # most recent closed tickets of the category compared per request
SIMILAR_LIMIT = 5
ARTICLE_LIMIT = 3
MARKER_WEIGHT = 2.0  # a shared trajectory marker counts like two shared words
_MARKERS = frozenset({"reopened", "breached", "urgent"})


def ticket_text(ticket, *, with_category: bool = True) -> str:
    handoff = (ticket.context or {}).get("handoff") or {}
    return " ".join(filter(None, [ticket.category.name if with_category else "", ticket.title,
                                  ticket.description, str(handoff.get("用户诉求", ""))]))


def ticket_markers(ticket) -> list[str]:
    context = ticket.context or {}
    shipment = context.get("shipment") or {}
    markers = []
    if shipment.get("status"):
        markers.append(f"st:{shipment['status']}")
    if shipment.get("stalled"):
        markers.append("st:stalled")
    for tag in ticket.tags or []:
        if tag in ("fresh", "valuable", "fragile", "document", "international"):
            markers.append(f"goods:{tag}")
    if ticket.reopen_count:
        markers.append("reopened")
    if ticket.response_breached_at or ticket.resolve_breached_at:
        markers.append("breached")
    if ticket.priority in ("P0", "P1"):
        markers.append("urgent")
    return markers


def _token_set(ticket) -> set[str]:
    # Without the category's name: every candidate shares it (they are all of the category).
    words = {t for t in tokens(ticket_text(ticket, with_category=False))
             if not t.startswith("~")}
    return words | set(ticket_markers(ticket))


def do_index_ticket(ticket, *, resolution: str | None = None) -> TicketDigest | None:
    """Stores (or refreshes) the digest of a closed ticket; drops it if no longer closed."""
    if ticket.status != "closed" or ticket.closed_at is None:
        TicketDigest.objects.filter(ticket_id=ticket.pk).delete()
        return None
    if resolution is None:
        resolution = ticket_selectors.resolution_notes([ticket.pk]).get(ticket.pk, "")
    digest, _created = TicketDigest.objects.update_or_create(ticket_id=ticket.pk, defaults={
        "number": ticket.number, "title": mask_text(ticket.title)[:200],
        "category_code": ticket.category.code, "closed_at": ticket.closed_at,
        "tokens": " ".join(sorted(_token_set(ticket))), "resolution": mask_text(resolution)})
    return digest


def on_ticket_transition(*, ticket, name, from_status, acting_user, **_):
    """tickets.hooks transition handler: a ticket joins the index when it closes and leaves it
    when it is reopened. Runs inside the transition's transaction; writes only our table."""
    if name in ("approve", "reopen") or from_status == "closed":
        do_index_ticket(ticket)


def do_index_closed_tickets(*, batch: int = 2000) -> int:
    """Digests every closed ticket closed since the newest digest (the backlog, or tickets
    closed while the hook was not installed). Returns how many were written."""
    newest = TicketDigest.objects.order_by("-closed_at").values_list("closed_at",
                                                                      flat=True).first()
    count = 0
    qs = ticket_selectors.closed_tickets(closed_since=newest)
    chunk = []
    for ticket in qs.iterator(chunk_size=batch):
        chunk.append(ticket)
        if len(chunk) >= batch:
            count += _index_chunk(chunk)
            chunk = []
    if chunk:
        count += _index_chunk(chunk)
    return count


def _index_chunk(tickets) -> int:
    notes = ticket_selectors.resolution_notes(t.pk for t in tickets)
    existing = set(TicketDigest.objects.filter(ticket_id__in=[t.pk for t in tickets])
                   .values_list("ticket_id", flat=True))
    rows = [TicketDigest(ticket_id=t.pk, number=t.number, title=mask_text(t.title)[:200],
                         category_code=t.category.code, closed_at=t.closed_at,
                         tokens=" ".join(sorted(_token_set(t))),
                         resolution=mask_text(notes.get(t.pk, "")))
            for t in tickets if t.pk not in existing]
    with transaction.atomic():
        TicketDigest.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _candidates(category_code: str, exclude_id: int) -> list[tuple[int, str]]:
    """(ticket id, tokens) of the category's most recent digests. One aggregated row instead
    of 1,500: building rows in the driver and the ORM cost more than the scan itself."""
    table = TicketDigest._meta.db_table
    if connection.vendor == "postgresql":
        concat = "string_agg(ticket_id::text || ' ' || tokens, E'\\n')"
    else:
        concat = "group_concat(ticket_id || ' ' || tokens, char(10))"
    sql = (f"SELECT {concat} FROM (SELECT ticket_id, tokens FROM {table} "
           f"WHERE category_code = %s AND ticket_id <> %s ORDER BY closed_at DESC LIMIT %s) r")
    with connection.cursor() as cursor:
        cursor.execute(sql, [category_code, exclude_id, SIMILAR_CANDIDATES])
        blob = cursor.fetchone()[0] or ""
    out = []
    for line in blob.split("\n"):
        ticket_id, _sep, tokens_text = line.partition(" ")
        if ticket_id:
            out.append((int(ticket_id), tokens_text))
    return out


_SCORE_SQL = """
WITH recent AS (
    SELECT ticket_id, string_to_array(tokens, ' ') AS words FROM {table}
    WHERE category_code = %(category)s AND ticket_id <> %(me)s
    ORDER BY closed_at DESC LIMIT %(candidates)s),
q AS (SELECT * FROM unnest(%(tokens)s::text[], %(mults)s::float8[]) AS q(tok, mult)),
hits AS (SELECT r.ticket_id, q.tok, cardinality(r.words) AS size
         FROM recent r JOIN q ON q.tok = ANY(r.words)),
df AS (SELECT hits.tok, ln(1 + (SELECT count(*) FROM recent)::float8 / count(*)) * max(q.mult) AS w
       FROM hits JOIN q USING (tok) GROUP BY hits.tok),
total AS (SELECT coalesce(sum(w), 1) AS qw FROM df)
SELECT hits.ticket_id, sum(df.w) / sqrt((SELECT qw FROM total) * greatest(max(hits.size), 1))
FROM hits JOIN df USING (tok)
GROUP BY hits.ticket_id ORDER BY 2 DESC, hits.ticket_id DESC LIMIT %(limit)s
"""


def _weight_multiplier(word: str) -> float:
    return MARKER_WEIGHT if ":" in word or word in _MARKERS else 1.0


def _scored_in_database(ticket, query: set[str], limit: int) -> list[tuple[float, int]]:
    """PostgreSQL: the same scoring as _scored_in_python, computed next to the data."""
    words = sorted(query)
    with connection.cursor() as cursor:
        cursor.execute(_SCORE_SQL.format(table=TicketDigest._meta.db_table), {
            "category": ticket.category.code, "me": ticket.pk,
            "candidates": SIMILAR_CANDIDATES, "tokens": words,
            "mults": [_weight_multiplier(w) for w in words], "limit": limit})
        return [(float(score), ticket_id) for ticket_id, score in cursor.fetchall()]


def _scored_in_python(ticket, query: set[str], limit: int) -> list[tuple[float, int]]:
    candidates = _candidates(ticket.category.code, ticket.pk)
    shared_by: list[tuple[int, set, int]] = []
    df: dict[str, int] = {}
    for ticket_id, text in candidates:
        words = text.split()
        shared = query.intersection(words)
        if shared:
            shared_by.append((ticket_id, shared, len(words)))
            for word in shared:
                df[word] = df.get(word, 0) + 1
    # Weight by rarity among the candidates: words every ticket of the category shares
    # (e.g. 快递) say little about similarity; trajectory markers count double.
    n = len(candidates)
    weight = {w: math.log(1 + n / c) * _weight_multiplier(w) for w, c in df.items()}
    query_weight = sum(weight.values()) or 1.0
    return sorted(((sum(weight[w] for w in shared) / math.sqrt(query_weight * max(size, 1)),
                    ticket_id) for ticket_id, shared, size in shared_by),
                  key=lambda item: (-item[0], -item[1]))[:limit]


def similar_tickets(ticket, *, limit: int = SIMILAR_LIMIT) -> list[dict]:
    query = _token_set(ticket)
    if not query:
        return []
    scorer = (_scored_in_database if connection.vendor == "postgresql" else _scored_in_python)
    scored = scorer(ticket, query, limit)
    details = {row["ticket_id"]: row for row in TicketDigest.objects.filter(
        ticket_id__in=[t for _s, t in scored]).values("ticket_id", "number", "title",
                                                       "resolution", "closed_at")}
    return [{"id": t, "number": details[t]["number"], "title": details[t]["title"],
             "resolution": details[t]["resolution"],
             "closed_at": details[t]["closed_at"].isoformat(), "score": round(score, 4)}
            for score, t in scored if t in details]


def suggestions(user, ticket) -> dict:
    """Caller got `ticket` through tickets.selectors.access_ticket(user, …)."""
    # One ranking over both audiences, split afterwards (half the work of two searches).
    hits = selectors.search_hits(ticket_text(ticket),
                                 audiences=(Audience.INTERNAL, Audience.CUSTOMER), limit=40)

    def articles(audience):
        return [{"id": h.id, "title": h.title, "snippet": h.snippet, "score": h.score,
                 "audience": h.audience}
                for h in hits if h.audience == audience][:ARTICLE_LIMIT]

    return {
        "ticket": ticket.pk,
        "articles": {"internal": articles(Audience.INTERNAL),
                     "customer": articles(Audience.CUSTOMER)},
        "similar_tickets": similar_tickets(ticket),
        "macros": [{"id": m.pk, "name": m.name}
                   for m in selectors.macro_list(user, category_code=ticket.category.code)],
    }


def check_use_suggestion(*, user, ticket_id, kind: str, object_id: int):
    """Records that an agent used a suggested article or consulted a similar ticket."""
    ticket = ticket_selectors.access_ticket(user, ticket_id)
    if kind == UsageKind.ARTICLE:
        if not Article.objects.filter(pk=object_id, status="published").exists():
            raise NotFound(_("Article not found."))
    elif not TicketDigest.objects.filter(ticket_id=object_id).exists():
        raise NotFound(_("Ticket not found."))
    return actions.do_record_usage(kind=kind, object_id=object_id, acting_user=user,
                                   ticket_id=ticket.pk)


def check_apply_macro(*, user, ticket_id, macro_id, text: str | None = None) -> dict:
    """Posts the macro's reply to the customer and runs its actions, all or nothing, each
    through tickets' own actions (which check the agent may do it)."""
    ticket = ticket_selectors.access_ticket(user, ticket_id)
    macro: Macro = selectors.access_macro(user, macro_id)
    if macro.category_codes and ticket.category.code not in macro.category_codes:
        raise DomainError(_("This macro is not for tickets of this category."),
                          code="macro_not_applicable")
    body = text if text is not None else render(macro.body, ticket_variables(ticket, agent=user))
    done = []
    with transaction.atomic():
        comment = ticket_actions.check_add_comment(user=user, ticket_id=ticket.pk, body=body,
                                                   visibility="public")
        changes = {}
        if macro.add_tags:
            changes["tags"] = sorted({*(ticket.tags or []), *macro.add_tags})
        if macro.set_priority:
            changes["priority"] = macro.set_priority
        if changes:
            ticket_actions.check_update_ticket(user=user, ticket_id=ticket.pk,
                                               reason=_("Macro “%(name)s”") % {"name": macro.name},
                                               **changes)
            done += sorted(changes)
        if macro.submit_review:
            ticket_actions.check_submit_review(user=user, ticket_id=ticket.pk, note=body)
            done.append("submit_review")
        actions.do_record_usage(kind=UsageKind.MACRO, object_id=macro.pk, acting_user=user,
                                ticket_id=ticket.pk)
    return {"comment_id": comment.pk, "text": body, "applied": done}


def kb_references(ticket) -> list[dict]:
    """tickets.hooks provider: the articles an agent used on this ticket."""
    ids = selectors.articles_used_in(ticket.pk)
    return [{"id": a.pk, "title": a.title}
            for a in Article.objects.filter(pk__in=ids).only("id", "title")]
