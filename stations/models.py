"""Delivery stations (网点), their people, the tasks tickets send them, couriers' address checks.

Writes go through stations/actions.py; other apps read through stations/selectors.py.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.choices import (
    AddressCheckReason,
    AddressCheckStatus,
    MemberRole,
    TaskKind,
    TaskStatus,
)


class Station(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    carrier = models.CharField(_("carrier"), max_length=20, blank=True,
                               help_text=_("Carrier code, e.g. sf, zto."))
    province = models.CharField(_("province"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    district = models.CharField(_("district"), max_length=32, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    opens_at = models.TimeField(_("opens at"), default="08:00")
    closes_at = models.TimeField(_("closes at"), default="20:00")
    calendar = models.ForeignKey(
        "tickets.BusinessCalendar", null=True, blank=True, on_delete=models.PROTECT,
        related_name="stations", verbose_name=_("business calendar"),
        help_text=_("Task deadlines count in this calendar; empty: the opening hours every day."))
    capacity = models.PositiveIntegerField(
        _("capacity"), default=20, help_text=_("Most open tasks the station handles at once."))
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="managed_stations",
                                verbose_name=_("manager"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("delivery station")
        verbose_name_plural = _("delivery stations")
        ordering = ["code"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="station_coordinates")]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def region(self) -> str:
        return f"{self.province}{self.city}{self.district}"


class StationMember(models.Model):
    """A user belongs to one station, as staff (站点人员) or courier (快递员)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="station_membership", verbose_name=_("user"))
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="members",
                                verbose_name=_("station"))
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)
    phone = models.CharField(_("phone"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("station member")
        verbose_name_plural = _("station members")
        ordering = ["station", "role", "user__username"]

    def __str__(self):
        return f"{self.user} @ {self.station.code}"


class StationTask(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT,
                               related_name="station_tasks", verbose_name=_("ticket"))
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="tasks",
                                verbose_name=_("station"))
    kind = models.CharField(_("kind"), max_length=24, choices=TaskKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices,
                              default=TaskStatus.OPEN, db_index=True)
    note = models.TextField(_("note"), blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    recipient_phone = models.CharField(_("recipient phone"), max_length=11, blank=True)
    courier = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="courier_tasks",
                                verbose_name=_("courier"),
                                help_text=_("The courier who delivers; sees the recipient's "
                                            "number while the task is open."))
    due_at = models.DateTimeField(_("due at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    result = models.CharField(_("result"), max_length=32, blank=True)
    result_note = models.TextField(_("answer"), blank=True)
    attachment_id = models.BigIntegerField(_("photo (ticket attachment)"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("completed by"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("station task")
        verbose_name_plural = _("station tasks")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["station", "status", "due_at"],
                                name="station_task_inbox"),
                   models.Index(fields=["status", "due_at"], name="station_task_overdue")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN


class AddressCheck(models.Model):
    """A courier could not deliver; the recipient settles it (confirm, correct, re-time, locker)
    through `token`, a link in the message they get, or through the chat."""

    task = models.OneToOneField(StationTask, on_delete=models.PROTECT,
                                related_name="address_check", verbose_name=_("task"))
    tracking_number = models.CharField(_("tracking number"), max_length=40, db_index=True)
    recipient_phone = models.CharField(_("recipient phone"), max_length=11, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=AddressCheckReason.choices)
    note = models.TextField(_("note"), blank=True)
    token = models.CharField(_("answer token"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=AddressCheckStatus.choices,
                              default=AddressCheckStatus.WAITING, db_index=True)
    answer = models.CharField(_("answer"), max_length=20, blank=True)
    new_address = models.CharField(_("corrected address"), max_length=200, blank=True)
    new_time = models.CharField(_("new delivery time"), max_length=100, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    due_at = models.DateTimeField(_("answer due at"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("address check")
        verbose_name_plural = _("address checks")
        ordering = ["-created_at"]
        # the chat looks up a recipient's waiting check on every turn
        indexes = [models.Index(fields=["recipient_phone", "status"],
                                name="address_check_recipient")]

    def __str__(self):
        return f"{self.tracking_number} {self.get_reason_display()}"
