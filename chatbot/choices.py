from django.db import models
from django.utils.translation import gettext_lazy as _


class ConversationStatus(models.TextChoices):
    ACTIVE = "active", _("With the bot")
    HANDOFF = "handoff", _("Handed to an agent")
    CLOSED = "closed", _("Closed")


class Sender(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    BOT = "bot", _("Bot")
    AGENT = "agent", _("Agent")
