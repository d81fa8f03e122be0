"""Reads of the knowledge base for the API, the chatbot, the console (H1) and tickets-side
checks (H6). Customers only ever see published customer articles."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from config.errors import NotFound
from knowledge import search
from knowledge.choices import ArticleStatus, Audience, UsageKind
from knowledge.models import Article, AssistUsage, Macro
from tickets.roles import Role, has_role, is_staff_member


def audiences_for(user, requested: str | None = None) -> tuple[str, ...]:
    """Staff may ask for either audience (both by default); everyone else gets customer
    articles whatever they ask for."""
    if user is not None and is_staff_member(user):
        if requested in Audience.values:
            return (requested,)
        return (Audience.CUSTOMER, Audience.INTERNAL)
    return (Audience.CUSTOMER,)


def search_hits(text: str, *, audiences, limit: int = 10) -> list[search.Hit]:
    """Best first. KB_SEARCH_BACKEND "memory" (default): the per-process BM25F index;
    "database": tsvector on PostgreSQL, LIKE on SQLite (knowledge/search_db.py)."""
    if settings.KB_SEARCH_BACKEND == "database":
        from knowledge.search_db import search_database

        return search_database(text, audiences=audiences, limit=limit)
    return search.index().search(text, audiences=set(audiences), limit=limit)


def search_articles(user, text: str, *, audience: str | None = None,
                    limit: int = 10) -> list[search.Hit]:
    return search_hits(text, audiences=audiences_for(user, audience), limit=limit)


def visible_articles(user) -> QuerySet[Article]:
    qs = Article.objects.select_related("category")
    if has_role(user, Role.OPS, Role.SUPERVISOR):
        return qs
    if user is not None and is_staff_member(user):
        return qs.filter(status=ArticleStatus.PUBLISHED)
    return qs.filter(status=ArticleStatus.PUBLISHED, audience=Audience.CUSTOMER)


def access_article(user, article_id) -> Article:
    article = visible_articles(user).filter(pk=article_id).first() if str(
        article_id).isdigit() else None
    if article is None:
        raise NotFound(_("Article not found."))
    return article


def article_get(article_id: int) -> Article | None:
    return Article.objects.filter(pk=article_id).select_related("category").first()


def articles_used_in(ticket_id: int) -> list[int]:
    """Ids of the articles an agent used on this ticket (quality review's "knowledge-base
    reference" check reads this through its registry)."""
    return list(AssistUsage.objects.filter(ticket_id=ticket_id, kind=UsageKind.ARTICLE)
                .values_list("object_id", flat=True).distinct())


def macro_list(user, *, category_code: str | None = None) -> list[Macro]:
    """Active macros for the console; those for the ticket's category (or for all) only."""
    if user is None or not is_staff_member(user):
        return []
    macros = Macro.objects.filter(active=True).order_by("name")
    if category_code is None:
        return list(macros)
    return [m for m in macros if not m.category_codes or category_code in m.category_codes]


def access_macro(user, macro_id) -> Macro:
    macro = (Macro.objects.filter(pk=macro_id, active=True).first()
             if str(macro_id).isdigit() and user is not None and is_staff_member(user) else None)
    if macro is None:
        raise NotFound(_("Macro not found."))
    return macro


def render_macro(user, macro: Macro, ticket) -> str:
    """The macro's text filled from `ticket` (which the caller got through access_ticket)."""
    from knowledge.macros import render, ticket_variables

    return render(macro.body, ticket_variables(ticket, agent=user))

