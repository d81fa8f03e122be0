from django.db import models
from django.utils.translation import gettext_lazy as _


class AgentStatus(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class SkillKind(models.TextChoices):
    CATEGORY = "category", _("Ticket category")  # match: a category code
    CARRIER = "carrier", _("Carrier")  # match: a logistics.carriers code (sf, yto, …)
    REGION = "region", _("Region")  # match: a prefix of the ticket's region (浙江省)
    SPECIAL = "special", _("Special handling")  # match: a customer or ticket tag (vip, …)


class StrategyCode(models.TextChoices):
    SKILLS_AND_LOAD = "skills_and_load", _("Skills, performance and load")
    ROUND_ROBIN = "round_robin", _("Round robin (longest idle)")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class EscalationPolicy(models.TextChoices):
    REASSIGN = "reassign", _("Reassign to another agent")
    SUPERVISOR = "supervisor", _("Escalate to the supervisor")


class Trigger(models.TextChoices):
    CREATED = "created", _("Ticket created")
    RELEASED = "release", _("Released to the queue")
    TRANSFERRED = "transfer", _("Transferred to a queue")
    REOPENED = "reopen", _("Reopened")
    DRAIN = "drain", _("Queue drained")
    BREACH = "breach", _("Response SLA breached")
    MANUAL = "manual", _("Routed again")


class AlertKind(models.TextChoices):
    WAIT = "wait", _("Waiting past the queue's threshold")
    RESPONSE_BREACH = "response_breach", _("Response SLA breach handled")
