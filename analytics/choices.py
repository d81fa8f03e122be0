from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    STALL_CLUSTER = "stall_cluster", _("Stall cluster")
    COMPLAINT_SPIKE = "complaint_spike", _("Complaint spike")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RECOVERING = "recovering", _("Resolution proposed")
    CLOSED = "closed", _("Closed")


class ReportKind(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
