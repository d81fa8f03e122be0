"""Knowledge base: articles with versions and usage figures, macros, and the digests of closed
tickets that agent assist compares a ticket with. Writes go through knowledge/actions.py."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledge.choices import ArticleStatus, Audience, UsageKind


class KbCategory(models.Model):
    """A short code (`fees`, `claims`, `pickup_point` …); a code not seen before is created."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")
        ordering = ["code"]

    def __str__(self):
        return self.name or self.code


class Article(models.Model):
    slug = models.SlugField(_("key"), max_length=80, unique=True,
                            help_text=_("Stable key, e.g. fee-how-calculated."))
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("short answer"), max_length=300, blank=True,
                               help_text=_("What the chatbot says; empty: the first paragraph."))
    body = models.TextField(_("body (Markdown)"))
    body_html = models.TextField(_("rendered body"), blank=True, editable=False)
    category = models.ForeignKey(KbCategory, on_delete=models.PROTECT, related_name="articles",
                                 verbose_name=_("category"))
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices,
                                default=Audience.CUSTOMER)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    synonyms = models.JSONField(_("synonyms"), default=list, blank=True,
                                help_text=_("Other ways customers say it, e.g. 邮费, 快递费."))
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Pre-tokenised fields (knowledge/text.py): the search index reads these, never the raw text.
    search_title = models.TextField(_("title tokens"), blank=True, editable=False)
    search_keywords = models.TextField(_("keyword tokens"), blank=True, editable=False)
    search_body = models.TextField(_("body tokens"), blank=True, editable=False)
    views = models.PositiveIntegerField(_("views"), default=0)
    used_in_replies = models.PositiveIntegerField(_("used in replies"), default=0)
    bot_answers = models.PositiveIntegerField(_("chatbot answers"), default=0)
    helpful_yes = models.PositiveIntegerField(_("helpful votes"), default=0)
    helpful_no = models.PositiveIntegerField(_("not helpful votes"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("updated by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["category__code", "title"]
        indexes = [models.Index(fields=["audience", "status"])]

    def __str__(self):
        return self.title


class ArticleVersion(models.Model):
    """One row per saved change: who changed what, with the full text of that version."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions",
                                verbose_name=_("article"))
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices)
    changes = models.JSONField(_("changed fields"), default=list, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"],
                                               name="kb_article_version_once")]

    def __str__(self):
        return f"{self.article_id} v{self.version}"


class ArticleFeedback(models.Model):
    """A customer's "did this help?" answer; one per article and conversation (or user)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback",
                                verbose_name=_("article"))
    helpful = models.BooleanField(_("helpful"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", verbose_name=_("user"))
    conversation_id = models.BigIntegerField(_("conversation"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("article feedback")
        verbose_name_plural = _("article feedback")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class KbRevision(models.Model):
    """A single counter bumped whenever published articles change: every process compares it
    with the revision its in-memory search index was built from and rebuilds when behind."""

    key = models.CharField(max_length=20, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("knowledge revision")
        verbose_name_plural = _("knowledge revisions")

    def __str__(self):
        return f"{self.key}={self.value}"


class Macro(models.Model):
    """A canned reply (快捷回复) with {variables} and optional ticket actions."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    body = models.TextField(_("text"), help_text=_(
        "Variables: {waybill} {last_node} {eta} {ticket_no} {phone} {customer_name} "
        "{agent_name} {category} {status}"))
    category_codes = models.JSONField(_("ticket categories"), default=list, blank=True,
                                      help_text=_("Empty: every category."))
    add_tags = models.JSONField(_("tags to add"), default=list, blank=True)
    set_priority = models.CharField(_("set priority"), max_length=2, blank=True)
    submit_review = models.BooleanField(_("submit for review"), default=False)
    active = models.BooleanField(_("active"), default=True)
    uses = models.PositiveIntegerField(_("uses"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from knowledge.macros import unknown_variables
        from tickets.choices import Priority

        errors = {}
        unknown = unknown_variables(self.body)
        if unknown:
            errors["body"] = _("Unknown variables: %(names)s") % {"names": ", ".join(unknown)}
        if self.set_priority and self.set_priority not in Priority.values:
            errors["set_priority"] = _("Unknown priority.")
        if errors:
            raise ValidationError(errors)


class AssistUsage(models.Model):
    """An agent used a suggestion on a ticket (an article, a similar ticket, a macro), or the
    chatbot answered from an article. Tickets-side checks read it through selectors."""

    ticket_id = models.BigIntegerField(_("ticket"), null=True, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UsageKind.choices)
    object_id = models.BigIntegerField(_("object"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", verbose_name=_("user"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("assist usage")
        verbose_name_plural = _("assist usage")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.object_id} → {self.ticket_id}"


class TicketDigest(models.Model):
    """A closed ticket reduced to what similarity needs: its category, its tokens (text and
    trajectory markers) and how it was resolved. Filled by `index_closed_tickets`."""

    ticket_id = models.BigIntegerField(_("ticket"), primary_key=True)
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    category_code = models.CharField(_("category"), max_length=64)
    closed_at = models.DateTimeField(_("closed at"))
    tokens = models.TextField(_("tokens"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("closed ticket digest")
        verbose_name_plural = _("closed ticket digests")
        indexes = [models.Index(fields=["category_code", "-closed_at"],
                                name="kb_digest_cat_closed")]

    def __str__(self):
        return self.number
