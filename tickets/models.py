"""Ticket core: the state machine and what hangs off a ticket.

Transition methods set fields only; every one is called from tickets/actions.py, which locks,
checks permission, writes the audit row and schedules side effects.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from tickets.choices import (
    Channel,
    CommentVisibility,
    EventKind,
    Impact,
    NotificationChannel,
    NotificationStatus,
    Priority,
    Status,
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
    reopen_count = models.PositiveSmallIntegerField(_("reopen count"), default=0)
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

    @transition(field=status, source=Status.CLOSED, target=Status.PROCESSING,
                permission=can_reopen)
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
