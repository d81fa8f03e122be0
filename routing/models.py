from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Queue(models.Model):
    """A pool of work with its members. Tickets wait here while no agent owns them."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                     related_name="ticket_queues", verbose_name=_("members"))
    is_default = models.BooleanField(_("default queue"), default=False,
                                     help_text=_("New tickets without a queue land here."))

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["is_default"],
                                               condition=models.Q(is_default=True),
                                               name="routing_single_default_queue")]

    def __str__(self):
        return self.name
