from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chatbot.choices import ConversationStatus, Sender


class Conversation(models.Model):
    """One chat session of a customer. `state` carries the dialogue across turns: the intent
    being served, every slot the customer already gave, the question pending, the shipment
    candidates offered, low-confidence turns in a row."""

    customer = models.ForeignKey("tickets.Customer", on_delete=models.PROTECT,
                                 related_name="conversations", verbose_name=_("customer"))
    status = models.CharField(_("status"), max_length=10, choices=ConversationStatus.choices,
                              default=ConversationStatus.ACTIVE)
    state = models.JSONField(_("dialogue state"), default=dict, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="conversations",
                               verbose_name=_("ticket"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-updated_at"]

    def __str__(self):
        return f"#{self.pk} {self.get_status_display()}"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="messages", verbose_name=_("conversation"))
    sender = models.CharField(_("sender"), max_length=10, choices=Sender.choices)
    text = models.TextField(_("text"))
    data = models.JSONField(_("data"), default=dict, blank=True,
                            help_text=_("Understanding of a customer message; buttons of a reply."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_sender_display()}: {self.text[:30]}"
