"""Every write of the knowledge base: check_* validates and checks permission, do_* writes,
records the version or usage, and bumps the search revision (search.py) in the same
transaction."""

import time

import markdown
import nh3
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config.errors import DomainError, Forbidden, NotFound
from knowledge import search
from knowledge.choices import ArticleStatus, Audience, UsageKind
from knowledge.macros import unknown_variables
from knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleVersion,
    AssistUsage,
    KbCategory,
    KbRevision,
    Macro,
)
from knowledge.text import token_string
from tickets.roles import Role, has_role

ARTICLE_FIELDS = ("title", "summary", "body", "category", "audience", "keywords", "synonyms",
                  "status", "slug")
_ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
                 "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td", "hr"}


class KnowledgeError(DomainError):
    pass


def may_edit(user) -> bool:
    return has_role(user, Role.OPS, Role.SUPERVISOR)


def render_markdown(text: str) -> str:
    """Markdown → HTML, then nh3 keeps only harmless tags (no script, no on* attributes, links
    get rel=noopener)."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"})


def bump_revision() -> None:
    """A new, never reused value (time-based): even a rolled-back bump cannot be mistaken for
    a later one by a process that saw it."""
    row, _created = KbRevision.objects.select_for_update().get_or_create(key=search.REVISION_KEY)
    row.value = max(row.value + 1, time.time_ns() // 1000)
    row.save(update_fields=["value"])


def _category(code: str) -> KbCategory:
    code = (code or "").strip().lower()
    if not code or slugify(code) != code:
        raise KnowledgeError(_("A category is a short code of letters, digits, - and _."),
                             code="invalid_category")
    category, _created = KbCategory.objects.get_or_create(code=code)
    return category


def _words(values) -> list[str]:
    if isinstance(values, str):
        values = values.replace("，", ",").split(",")
    return [v.strip() for v in values or [] if v and v.strip()]


def _unique_slug(title: str, slug: str | None) -> str:
    base = slugify(slug or "") or f"article-{int(time.time() * 1000) % 10**10}"
    candidate, n = base, 2
    while Article.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def check_save_article(*, user, article_id=None, **fields) -> Article:
    """Create (article_id None) or update an article; ops and supervisors only."""
    if not may_edit(user):
        raise Forbidden(_("Only operations staff and supervisors edit knowledge articles."))
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise KnowledgeError(_("These fields cannot be changed here."),
                             extra={"fields": sorted(unknown)})
    if "audience" in fields and fields["audience"] not in Audience.values:
        raise KnowledgeError(_("Unknown audience."), code="invalid_audience")
    if "status" in fields and fields["status"] not in ArticleStatus.values:
        raise KnowledgeError(_("Unknown status."), code="invalid_status")
    with transaction.atomic():
        if article_id is None:
            missing = [f for f in ("title", "body", "category") if not fields.get(f)]
            if missing:
                raise KnowledgeError(_("Required fields are missing."), code="missing_fields",
                                     extra={"fields": missing})
            article = Article(created_by=user, version=0)
        else:
            article = Article.objects.select_for_update().filter(pk=article_id).first()
            if article is None:
                raise NotFound(_("Article not found."))
        return do_save_article(article, acting_user=user, **fields)


def do_save_article(article: Article, *, acting_user, **fields) -> Article:
    """Caller holds the row lock (or the article is new). Writes a version row naming the
    changed fields; returns early if nothing changed."""
    changed = []
    for name, value in fields.items():
        if name == "category":
            value = _category(value)
            if article.pk is None or article.category_id != value.pk:
                article.category = value
                changed.append(name)
            continue
        if name in ("keywords", "synonyms"):
            value = _words(value)
        if name == "slug":
            if article.pk is not None:
                continue  # the key is stable once given
            value = _unique_slug(fields.get("title", ""), value)
        if getattr(article, name) != value:
            setattr(article, name, value)
            changed.append(name)
    if article.pk is not None and not changed:
        return article
    if not article.slug:
        article.slug = _unique_slug(article.title, None)
    was_published = article.pk is not None and Article.objects.filter(
        pk=article.pk, status=ArticleStatus.PUBLISHED).exists()
    article.body_html = render_markdown(article.body)
    article.search_title = token_string(article.title)
    article.search_keywords = token_string(" ".join([*article.keywords, *article.synonyms]))
    article.search_body = token_string(f"{article.summary}\n{search.plain_text(article.body)}")
    article.version += 1
    article.updated_by = acting_user
    article.save()
    ArticleVersion.objects.create(article=article, version=article.version, title=article.title,
                                  body=article.body, status=article.status,
                                  changes=sorted(changed), changed_by=acting_user)
    if was_published or article.status == ArticleStatus.PUBLISHED:
        bump_revision()
    return article


def do_reindex_articles() -> int:
    """Re-tokenise every article (after the tokeniser or synonym list changed)."""
    count = 0
    with transaction.atomic():
        for article in Article.objects.select_for_update():
            article.search_title = token_string(article.title)
            article.search_keywords = token_string(" ".join([*article.keywords,
                                                             *article.synonyms]))
            article.search_body = token_string(
                f"{article.summary}\n{search.plain_text(article.body)}")
            article.body_html = render_markdown(article.body)
            article.save(update_fields=["search_title", "search_keywords", "search_body",
                                        "body_html"])
            count += 1
        bump_revision()
    return count


def do_count_view(article: Article) -> None:
    # Figures only: no version, no revision bump (the search index does not use them).
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


def check_record_feedback(*, user, article: Article, helpful: bool,
                          conversation_id=None) -> ArticleFeedback:
    """One vote per article, user and conversation; voting again changes it. The user is part
    of the key, so nobody can change another person's vote by naming their conversation."""
    with transaction.atomic():
        lookup = {"user_id": user.pk if user else None, "conversation_id": conversation_id}
        existing = ArticleFeedback.objects.select_for_update().filter(
            article=article, **lookup).first()
        if existing is not None:
            if existing.helpful == helpful:
                return existing
            old = "helpful_yes" if existing.helpful else "helpful_no"
            Article.objects.filter(pk=article.pk).update(**{old: F(old) - 1})
            existing.helpful = helpful
            existing.save(update_fields=["helpful"])
            feedback = existing
        else:
            feedback = ArticleFeedback.objects.create(article=article, helpful=helpful,
                                                      user=user, conversation_id=conversation_id)
        new = "helpful_yes" if helpful else "helpful_no"
        Article.objects.filter(pk=article.pk).update(**{new: F(new) + 1})
    return feedback


def do_record_usage(*, kind: str, object_id: int, acting_user=None,
                    ticket_id=None) -> AssistUsage:
    usage = AssistUsage.objects.create(kind=kind, object_id=object_id, user=acting_user,
                                       ticket_id=ticket_id)
    counter = {UsageKind.ARTICLE: "used_in_replies", UsageKind.BOT_ANSWER: "bot_answers"}.get(kind)
    if counter:
        Article.objects.filter(pk=object_id).update(**{counter: F(counter) + 1})
    elif kind == UsageKind.MACRO:
        Macro.objects.filter(pk=object_id).update(uses=F("uses") + 1)
    return usage


def check_save_macro(*, user, macro_id=None, **fields) -> Macro:
    """Ops and supervisors define macros; a body with an unknown {variable} is refused."""
    if not may_edit(user):
        raise Forbidden(_("Only operations staff and supervisors edit macros."))
    unknown = unknown_variables(fields.get("body", ""))
    if unknown:
        raise KnowledgeError(_("The text uses unknown variables: %(names)s")
                             % {"names": ", ".join(unknown)}, code="unknown_variable",
                             extra={"variables": unknown})
    with transaction.atomic():
        macro = (Macro(created_by=user) if macro_id is None
                 else Macro.objects.select_for_update().filter(pk=macro_id).first())
        if macro is None:
            raise NotFound(_("Macro not found."))
        for name, value in fields.items():
            setattr(macro, name, value)
        if not macro.code:
            macro.code = slugify(macro.name) or f"macro-{time.time_ns()}"
        from django.core.exceptions import ValidationError

        try:
            macro.full_clean()
        except ValidationError as error:
            raise KnowledgeError(_("Invalid macro."), code="invalid",
                                 extra={"errors": error.message_dict}) from None
        macro.save()
    return macro
