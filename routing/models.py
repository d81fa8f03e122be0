"""Routing: agents' profiles and skills, queues, rules, decisions (routing/README.md)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from routing.choices import AgentStatus, AlertKind, EscalationPolicy, SkillKind, StrategyCode


class Queue(models.Model):
    """A pool of work with its members. Tickets wait here while no agent owns them."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                     related_name="ticket_queues", verbose_name=_("members"))
    is_default = models.BooleanField(_("default queue"), default=False,
                                     help_text=_("New tickets without a queue land here."))
    strategy = models.CharField(_("default strategy"), max_length=30,
                                choices=StrategyCode.choices,
                                default=StrategyCode.SKILLS_AND_LOAD)
    wait_alert_minutes = models.PositiveIntegerField(
        _("wait alert threshold (minutes)"), default=15,
        help_text=_("Supervisors are alerted once when a ticket waits longer than this."))
    escalation_policy = models.CharField(
        _("on response SLA breach"), max_length=20, choices=EscalationPolicy.choices,
        default=EscalationPolicy.SUPERVISOR)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["is_default"],
                                               condition=models.Q(is_default=True),
                                               name="routing_single_default_queue")]

    def __str__(self):
        return self.name


class Skill(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=SkillKind.choices)
    match = models.CharField(
        _("matches"), max_length=100,
        help_text=_("Category code, carrier code, region prefix or tag this skill serves."))

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["kind", "code"]

    def __str__(self):
        return self.name


class AgentProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="agent_profile", verbose_name=_("user"))
    team = models.CharField(_("team"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AgentStatus.choices,
                              default=AgentStatus.OFFLINE, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    last_online_at = models.DateTimeField(_("last online at"), null=True, blank=True)
    last_assigned_at = models.DateTimeField(_("last assigned at"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=5, help_text=_("Most open (assigned or processing) tickets."))
    regions = models.JSONField(_("regions"), default=list, blank=True,
                               help_text=_('Region prefixes served, e.g. ["浙江省"].'))

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")
        ordering = ["user__username"]

    def __str__(self):
        return str(self.user)


class AgentSkill(models.Model):
    """One cell of the skill matrix; no row means proficiency 0."""

    profile = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="skills",
                                verbose_name=_("agent"))
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="agents",
                              verbose_name=_("skill"))
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        verbose_name = _("agent skill")
        verbose_name_plural = _("agent skills")
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="routing_skill_once"),
            models.CheckConstraint(condition=models.Q(proficiency__gte=1, proficiency__lte=5),
                                   name="routing_proficiency_1_to_5"),
        ]

    def __str__(self):
        return f"{self.skill}: {self.proficiency}"


def _list_of_strings(value):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Enter a JSON list of strings, e.g. [\"vip\"]."))


class RoutingRule(models.Model):
    """Data, never code: each non-empty condition must hold; empty lists match anything."""

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=100, db_index=True)
    active = models.BooleanField(_("active"), default=True)
    categories = models.JSONField(_("categories"), default=list, blank=True,
                                  validators=[_list_of_strings],
                                  help_text=_("Category codes; any of them."))
    priorities = models.JSONField(_("priorities"), default=list, blank=True,
                                  validators=[_list_of_strings])
    regions = models.JSONField(_("regions"), default=list, blank=True,
                               validators=[_list_of_strings],
                               help_text=_("Region prefixes, e.g. 浙江省; any of them."))
    channels = models.JSONField(_("channels"), default=list, blank=True,
                                validators=[_list_of_strings])
    customer_tags = models.JSONField(_("customer tags"), default=list, blank=True,
                                     validators=[_list_of_strings],
                                     help_text=_("The customer has any of these tags."))
    carriers = models.JSONField(_("carriers"), default=list, blank=True,
                                validators=[_list_of_strings],
                                help_text=_("Carrier codes detected from the waybills."))
    keywords = models.JSONField(_("keywords"), default=list, blank=True,
                                validators=[_list_of_strings],
                                help_text=_("Any of these words in the title or description."))
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="rules", verbose_name=_("target queue"),
                              help_text=_("Empty: the ticket keeps its queue."))
    required_skills = models.ManyToManyField(Skill, blank=True, related_name="rules",
                                             verbose_name=_("required skills"))
    priority_override = models.CharField(_("priority override"), max_length=2, blank=True,
                                         choices=[("P0", "P0"), ("P1", "P1"), ("P2", "P2"),
                                                  ("P3", "P3")])
    add_tags = models.JSONField(_("tags to add"), default=list, blank=True,
                                validators=[_list_of_strings])

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class RoutingDecision(models.Model):
    """Why a ticket went where it went: every candidate with its score, and the winner."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="routing_decisions", verbose_name=_("ticket"))
    trigger = models.CharField(_("trigger"), max_length=20)
    rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("rule"))
    rule_name = models.CharField(_("rule name"), max_length=100, blank=True)
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("queue"))
    strategy = models.CharField(_("strategy"), max_length=30)
    winner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("winner"))
    reason = models.CharField(_("reason"), max_length=300)
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ticket", "-created_at"])]

    def __str__(self):
        return f"{self.ticket_id} → {self.winner_id or '-'}"


class AgentPerformance(models.Model):
    """Learned from closed tickets by the beat task routing.refresh_performance."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("agent"))
    category = models.ForeignKey("tickets.Category", on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("category"))
    handled = models.PositiveIntegerField(_("tickets handled"), default=0)
    resolution_rate = models.FloatField(_("resolution rate"), default=0)
    avg_handle_minutes = models.FloatField(_("average handling time (minutes)"), default=0)
    csat = models.FloatField(_("average CSAT"), null=True, blank=True)
    score = models.FloatField(_("performance score"), default=0.5,
                              help_text=_("0–1; 0.5 when nothing is known."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("agent performance")
        verbose_name_plural = _("agent performance")
        constraints = [models.UniqueConstraint(fields=["user", "category"],
                                               name="routing_performance_once")]

    def __str__(self):
        return f"{self.user_id}/{self.category_id}: {self.score:.2f}"


class RoutingAlert(models.Model):
    """Once per ticket (and per reopening): a wait alert sent, a response breach handled."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("ticket"))
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    round = models.PositiveSmallIntegerField(_("reopen count"), default=0)
    action = models.CharField(_("action"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("routing alert")
        verbose_name_plural = _("routing alerts")
        constraints = [models.UniqueConstraint(fields=["ticket", "kind", "round"],
                                               name="routing_alert_once")]

    def __str__(self):
        return f"{self.ticket_id} {self.kind}"
