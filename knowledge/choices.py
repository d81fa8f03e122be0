from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    CUSTOMER = "customer", _("Customers")
    INTERNAL = "internal", _("Internal (agents)")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class UsageKind(models.TextChoices):
    ARTICLE = "article", _("Article used in a reply")
    SIMILAR_TICKET = "similar_ticket", _("Similar ticket consulted")
    MACRO = "macro", _("Macro applied")
    BOT_ANSWER = "bot_answer", _("Answered by the chatbot")
