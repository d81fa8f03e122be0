"""Ticket core: the state machine and what hangs off a ticket.

Transition methods set fields only; every one is called from tickets/actions.py, which locks,
checks permission, writes the audit row and schedules side effects.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from tickets.choices import (
    Channel,
    CommentVisibility,
    EventKind,
    FieldKind,
    FindingKind,
    FindingSource,
    Impact,
    NotificationChannel,
    NotificationStatus,
    Priority,
    Status,
    Verdict,
    raised,
)
from tickets.roles import Role, has_role


class Customer(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="customer")
    phone = models.CharField(_("phone"), max_length=11, unique=True)
    name = models.CharField(_("name"), max_length=64, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True,
                            help_text=_("e.g. vip, elderly"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        from config.masking import mask_phone

        return f"{self.name or _('Customer')} {mask_phone(self.phone)}"


class Category(models.Model):
    """Ops-editable tree; `code` is stable and used by rules, templates and the chatbot."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name=_("parent"))
    default_priority = models.CharField(_("default priority"), max_length=2,
                                        choices=Priority.choices, default=Priority.P2)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    # Quality review (#10): the automatic check wants a knowledge-base article cited.
    requires_kb_reference = models.BooleanField(
        _("requires a knowledge-base reference"), default=False,
        help_text=_("Quality checks flag a resolution that cites no knowledge-base article."))

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    def clean(self):
        node, seen = self.parent, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("A category cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent


class BusinessCalendar(models.Model):
    """When the clock runs: working hours per weekday, optionally Chinese public holidays and
    调休 working days (chinese_calendar), or always (24×7). Arithmetic in tickets/calendars.py."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    always_open = models.BooleanField(_("24×7"), default=False,
                                      help_text=_("The clock runs around the clock."))
    hours = models.JSONField(
        _("working hours per weekday"), default=dict, blank=True,
        help_text=_('Weekday (0 = Monday) to a list of [start, end], e.g. '
                    '{"0": [["09:00", "18:00"]]}.'))
    cn_holidays = models.BooleanField(
        _("Chinese public holidays"), default=False,
        help_text=_("Holidays are off; 调休 weekend days work with Monday's hours."))
    time_zone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    # Attached here rather than as a field on routing.Queue so routing's tables stay routing's.
    queues = models.ManyToManyField("routing.Queue", blank=True, related_name="calendars",
                                    verbose_name=_("queues"),
                                    help_text=_("Tickets in these queues use this calendar."))

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        from datetime import time

        try:
            for key, spans in (self.hours or {}).items():
                if not 0 <= int(key) <= 6:
                    raise ValueError(key)
                for start, end in spans:
                    time.fromisoformat(start), time.fromisoformat(end)
        except (TypeError, ValueError, AttributeError):
            raise ValidationError({"hours": _(
                'Weekday (0 = Monday) to a list of [start, end], e.g. '
                '{"0": [["09:00", "18:00"]]}.')}) from None
        if not self.always_open and not any((self.hours or {}).values()):
            raise ValidationError({"hours": _("A calendar that is not 24×7 needs working "
                                              "hours.")})


class SlaPolicy(models.Model):
    """Response and resolution targets per priority, optionally narrowed to one category."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE,
                                 verbose_name=_("category"),
                                 help_text=_("Empty: applies to every category."))
    response_minutes = models.PositiveIntegerField(_("response target (minutes)"))
    resolve_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    active = models.BooleanField(_("active"), default=True)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True,
                                 on_delete=models.PROTECT, help_text=_("Empty: 24×7."),
                                 verbose_name=_("business calendar"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority", "category__code"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "category"],
                                    name="sla_one_policy_per_priority_category"),
            models.UniqueConstraint(fields=["priority"], condition=models.Q(category__isnull=True),
                                    name="sla_one_default_policy_per_priority"),
        ]

    def __str__(self):
        return self.name


def _is_owner(ticket, user) -> bool:
    return user is not None and ticket.owner_id is not None and ticket.owner_id == user.pk


def can_route(ticket, user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.SYSTEM)


def can_hand_over(ticket, user) -> bool:
    return _is_owner(ticket, user) or has_role(user, Role.SUPERVISOR, Role.SYSTEM)


def can_work(ticket, user) -> bool:
    return _is_owner(ticket, user)


def can_review(ticket, user) -> bool:
    # Nobody reviews their own resolution; the system approves for sampling policies.
    return has_role(user, Role.REVIEWER, Role.SYSTEM) and not _is_owner(ticket, user)


def can_merge(ticket, user) -> bool:
    # The action also wants an agent to own one of the two tickets (tickets/actions/merge.py).
    return has_role(user, Role.AGENT, Role.SUPERVISOR, Role.SYSTEM)


def not_merged(ticket) -> bool:
    return ticket.merged_into_id is None


def can_reopen(ticket, user) -> bool:
    if has_role(user, Role.SUPERVISOR, Role.SYSTEM):
        return True
    return (has_role(user, Role.CUSTOMER) and ticket.customer_id is not None
            and getattr(ticket.customer, "user_id", None) == user.pk)


class Ticket(ConcurrentTransitionMixin, models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("category"))
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices,
                                default=Priority.P2)
    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices,
                              default=Impact.SINGLE)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices,
                               default=Channel.AGENT)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="tickets", verbose_name=_("customer"))
    region = models.CharField(_("region"), max_length=100, blank=True)
    status = FSMField(_("status"), default=Status.RECEIVED, choices=Status.choices,
                      protected=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_tickets",
                              verbose_name=_("owner"))
    queue = models.ForeignKey("routing.Queue", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="tickets", verbose_name=_("queue"))
    response_due = models.DateTimeField(_("response due"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    response_breached_at = models.DateTimeField(_("response SLA breached at"), null=True,
                                                blank=True)
    resolve_breached_at = models.DateTimeField(_("resolution SLA breached at"), null=True,
                                               blank=True)
    escalated = models.BooleanField(_("escalated"), default=False)
    sla_paused_at = models.DateTimeField(_("resolution clock paused at"), null=True,
                                         blank=True)
    sla_pause_reasons = models.JSONField(
        _("why the resolution clock is paused"), default=list, blank=True,
        help_text=_("customer, customs, station_task:<id>; empty while the clock runs"))
    reopen_count = models.PositiveSmallIntegerField(_("reopen count"), default=0)
    # Ticket templates, merging and quality review (#10, tickets/quality/README.md).
    form_values = models.JSONField(_("template fields"), default=dict, blank=True,
                                   help_text=_("Values of the category's template fields."))
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_tickets",
                                    verbose_name=_("merged into"))
    review_round = models.PositiveSmallIntegerField(_("submissions for review"), default=0)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="children", verbose_name=_("batch incident"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True,
                               help_text=_("e.g. the chatbot's handoff summary"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "priority"]),
            models.Index(fields=["queue", "status"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["response_due"]),
            models.Index(fields=["resolve_due"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def breached(self) -> bool:
        return bool(self.response_breached_at or self.resolve_breached_at)

    # --- the state machine (DESIGN.md). Fields only: actions do the rest. ---
    @transition(field=status, source=Status.RECEIVED, target=Status.ASSIGNED,
                permission=can_route)
    def assign(self, assignee):
        self.owner = assignee

    @transition(field=status, source=[Status.ASSIGNED, Status.PROCESSING],
                target=Status.RECEIVED, permission=can_hand_over)
    def release(self):
        self.owner = None

    @transition(field=status, source=[Status.ASSIGNED, Status.PROCESSING],
                target=Status.ASSIGNED, permission=can_hand_over)
    def transfer(self, assignee):
        self.owner = assignee

    @transition(field=status, source=Status.ASSIGNED, target=Status.PROCESSING,
                permission=can_work)
    def start(self):
        if self.first_responded_at is None:
            self.first_responded_at = timezone.now()

    @transition(field=status, source=Status.PROCESSING, target=Status.REVIEW,
                permission=can_work)
    def submit_review(self):
        self.resolved_at = timezone.now()

    @transition(field=status, source=Status.REVIEW, target=Status.CLOSED,
                permission=can_review)
    def approve(self):
        self.closed_at = timezone.now()

    @transition(field=status, source=Status.REVIEW, target=Status.PROCESSING,
                permission=can_review)
    def reject(self):
        self.resolved_at = None

    @transition(field=status, source=[Status.RECEIVED, Status.ASSIGNED, Status.PROCESSING,
                                      Status.REVIEW], target=Status.CLOSED, permission=can_merge)
    def merge(self, into):
        """A duplicate closes into the surviving ticket (tickets/quality/README.md: why a
        transition of its own rather than a fake review: no CSAT survey, no review counted)."""
        self.merged_into = into
        self.closed_at = timezone.now()

    @transition(field=status, source=Status.CLOSED, target=Status.PROCESSING,
                permission=can_reopen, conditions=[not_merged])
    def reopen(self):
        self.closed_at = None
        self.resolved_at = None
        self.escalated = True
        self.priority = raised(self.priority)
        self.reopen_count += 1


class TicketWaybill(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="waybill_rows",
                               verbose_name=_("ticket"))
    number = models.CharField(_("waybill number"), max_length=40, db_index=True)

    class Meta:
        verbose_name = _("waybill")
        verbose_name_plural = _("waybills")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "number"],
                                               name="ticket_waybill_once")]

    def __str__(self):
        return self.number


class ImmutableError(Exception):
    pass


class TicketEvent(models.Model):
    """The audit trail: written once, never changed or deleted."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events",
                               verbose_name=_("ticket"))
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", verbose_name=_("actor"))
    from_status = models.CharField(_("from"), max_length=20, blank=True, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, blank=True, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]

    def __str__(self):
        when = timezone.localtime(self.created_at)
        return f"{self.get_kind_display()} {when:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("ticket events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("ticket events cannot be deleted")


class TicketComment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments",
                               verbose_name=_("ticket"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("author"))
    visibility = models.CharField(_("visibility"), max_length=10,
                                  choices=CommentVisibility.choices,
                                  default=CommentVisibility.INTERNAL)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_visibility_display()} #{self.pk}"


def attachment_path(instance, filename):
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("ticket"))
    comment = models.ForeignKey(TicketComment, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="attachments", verbose_name=_("comment"))
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    evidence_for = models.CharField(
        _("evidence for"), max_length=64, blank=True,
        help_text=_("Code of the template field this file proves, e.g. photo."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def extension(self) -> str:
        from tickets.files import EXTENSIONS

        return EXTENSIONS.get(self.content_type, "")


class CsatSurvey(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="surveys",
                               verbose_name=_("ticket"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(
            condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
            name="csat_score_1_to_5")]

    def __str__(self):
        return f"{self.ticket_id}: {self.score or '-'}"


class Notification(models.Model):
    """The outbox: a row per message, sent by Celery after commit and retried until it goes."""

    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="notifications", verbose_name=_("ticket"))
    dedupe_key = models.CharField(_("de-duplication key"), max_length=200, null=True,
                                  blank=True, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=NotificationStatus.choices,
                              default=NotificationStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notification outbox")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} #{self.pk} {self.get_status_display()}"


class DailySequence(models.Model):
    """Per-day counter behind ticket numbers (TK + date + 6-digit sequence)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}: {self.last}"


# --- customer mini-program (issue #7): bindings and external logins of a customer ---
class CustomerShipment(models.Model):
    """A parcel a customer added by waybill + the last 4 digits of a phone on it (their own
    phone already finds the parcels where it is the sender or recipient)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE,
                                 related_name="shipment_bindings", verbose_name=_("customer"))
    number = models.CharField(_("waybill number"), max_length=40)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer's parcel")
        verbose_name_plural = _("customers' parcels")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["customer", "number"],
                                               name="customer_shipment_once")]

    def __str__(self):
        return self.number


class CustomerIdentity(models.Model):
    """A customer's login at an outside provider, e.g. a WeChat mini-program openid."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities",
                                 verbose_name=_("customer"))
    provider = models.CharField(_("provider"), max_length=20)
    subject = models.CharField(_("subject"), max_length=128,
                               help_text=_("The provider's id of the user (WeChat: openid)."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer login identity")
        verbose_name_plural = _("customer login identities")
        constraints = [models.UniqueConstraint(fields=["provider", "subject"],
                                               name="customer_identity_once")]

    def __str__(self):
        return f"{self.provider}:{self.subject[:6]}…"


# --- ticket templates, merging and quality review (issue #10; tickets/quality/README.md) ---
def _string_list(value):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Enter a JSON list of strings, e.g. [\"P0\", \"P1\"]."))


class TemplateField(models.Model):
    """One field of a category's ticket template (场景化模板), edited by ops in admin.

    Fields of the category and of its ancestors apply. A required field other than evidence
    must be given when the ticket is created, from every channel (400 `missing_fields`);
    evidence is a file attached with or after creation and is checked at submission for
    review (a quality finding: the reviewer decides)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE,
                                 related_name="template_fields", verbose_name=_("category"))
    code = models.SlugField(_("code"), max_length=64,
                            help_text=_("Key in the API, e.g. goods_value."))
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=FieldKind.choices,
                            default=FieldKind.TEXT)
    required = models.BooleanField(_("required"), default=True)
    group = models.SlugField(
        _("one-of group"), max_length=64, blank=True,
        help_text=_("Fields sharing a group: at least one of them must be given (new address "
                    "or new time or pickup point); `required` applies to fields without one."))
    choices = models.JSONField(_("choices"), default=list, blank=True,
                               validators=[_string_list],
                               help_text=_("For a choice field: the allowed values."))
    prompt = models.CharField(_("question the chatbot asks"), max_length=200, blank=True)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("template field")
        verbose_name_plural = _("template fields")
        ordering = ["category", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"],
                                               name="template_field_once")]

    def __str__(self):
        return self.label

    def clean(self):
        if self.kind == FieldKind.CHOICE and not self.choices:
            raise ValidationError({"choices": _("A choice field needs its choices.")})


class SamplingPolicy(models.Model):
    """Decides at submit_review whether a ticket goes to a reviewer or is approved by the
    system. Every non-empty condition must hold; of the matching active policies the one with
    the highest rate decides, by a deterministic draw (tickets/quality/sampling.py)."""

    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=100,
                                        help_text=_("Breaks ties between equal rates."))
    rate = models.PositiveSmallIntegerField(
        _("review rate (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of matching tickets sent to a reviewer; the rest are approved."))
    categories = models.JSONField(_("categories"), default=list, blank=True,
                                  validators=[_string_list], help_text=_("Category codes."))
    priorities = models.JSONField(_("priorities"), default=list, blank=True,
                                  validators=[_string_list])
    agents = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                    verbose_name=_("agents"),
                                    help_text=_("Only tickets of these agents."))
    new_agent_tickets = models.PositiveIntegerField(
        _("new agent: fewer closed tickets than"), null=True, blank=True,
        help_text=_("Matches agents who have closed fewer tickets than this."))
    new_agent_days = models.PositiveIntegerField(
        _("new agent: joined within days"), null=True, blank=True)
    reopened = models.BooleanField(_("reopened tickets only"), default=False)
    agent_csat_below = models.FloatField(
        _("agent's average CSAT below"), null=True, blank=True,
        help_text=_("Over the last QUALITY_CSAT_DAYS days; agents without answers never "
                    "match."))

    class Meta:
        verbose_name = _("sampling policy")
        verbose_name_plural = _("sampling policies")
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(rate__lte=100),
                                              name="sampling_rate_percent")]

    def __str__(self):
        return self.name


class ForbiddenPhrase(models.Model):
    """A promise agents must not make. Words separated by a space must appear in that order,
    a few characters apart at most (保证 赔付 matches 保证全额赔付); a match right after a
    negation (不, 无法 …) is not a promise."""

    phrase = models.CharField(_("phrase"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("forbidden promise")
        verbose_name_plural = _("forbidden promises")
        ordering = ["phrase"]

    def __str__(self):
        return self.phrase


class QualityFinding(models.Model):
    """What an automatic check found, shown to the reviewer and counted per agent."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="findings",
                               verbose_name=_("ticket"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("agent"))
    kind = models.CharField(_("kind"), max_length=30, choices=FindingKind.choices)
    source = models.CharField(_("found in"), max_length=20, choices=FindingSource.choices)
    comment = models.ForeignKey(TicketComment, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("comment"))
    round = models.PositiveSmallIntegerField(_("submission"), default=1)
    excerpt = models.CharField(_("excerpt (masked)"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("quality finding")
        verbose_name_plural = _("quality findings")
        ordering = ["ticket", "round", "id"]
        indexes = [models.Index(fields=["agent", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.ticket_id})"


class ReviewScorecard(models.Model):
    """A reviewer's scores (1–5 each) at approve or reject; rejections name the failed items.
    Routing learns agents' performance from these (tickets.selectors.review_score_averages)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="scorecards",
                               verbose_name=_("ticket"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("reviewer"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("agent"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("category"))
    round = models.PositiveSmallIntegerField(_("submission"), default=1)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    accuracy = models.PositiveSmallIntegerField(_("accuracy"))
    attitude = models.PositiveSmallIntegerField(_("attitude"))
    process = models.PositiveSmallIntegerField(_("process"))
    timeliness = models.PositiveSmallIntegerField(_("timeliness"))
    failed_items = models.JSONField(_("failed items"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("review scorecard")
        verbose_name_plural = _("review scorecards")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(accuracy__gte=1, accuracy__lte=5, attitude__gte=1,
                               attitude__lte=5, process__gte=1, process__lte=5,
                               timeliness__gte=1, timeliness__lte=5),
            name="scorecard_items_1_to_5")]
        indexes = [models.Index(fields=["agent", "created_at"])]

    def __str__(self):
        return f"{self.ticket_id} {self.get_verdict_display()} {self.total:.1f}"

    @property
    def total(self) -> float:
        return (self.accuracy + self.attitude + self.process + self.timeliness) / 4
