"""Analytics: detection settings ops tune in admin, batch incidents and their parcels, backlog
history (the seasonal baseline of stall clusters), P1 backlog alert episodes, stored reports.

Tickets are written only through tickets' actions; these tables hold analytics' own state.
"""

from datetime import time

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics.choices import IncidentKind, IncidentStatus, ReportKind

OPEN_STATUSES = (IncidentStatus.OPEN, IncidentStatus.RECOVERING)


class CompensationTemplate(models.Model):
    """What an affected customer is offered (e.g. a coupon, a fee waiver, 优先理赔)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=64)
    text = models.CharField(_("text sent to the customer"), max_length=300)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("compensation template")
        verbose_name_plural = _("compensation templates")
        ordering = ["code"]

    def __str__(self):
        return self.name


class AnomalySettings(models.Model):
    """One row (pk 1): the knobs of batch-anomaly detection, proactive notices and alerts."""

    stall_min_count = models.PositiveIntegerField(
        _("minimum stalled parcels per cluster"), default=50,
        help_text=_("A location × carrier needs at least this many stalled parcels."))
    stall_backlog_multiple = models.FloatField(
        _("multiple of the usual backlog"), default=3.0,
        help_text=_("…and at least this multiple of its usual backlog at this hour of the "
                    "week (median of previous weeks)."))
    stall_window_hours = models.PositiveIntegerField(
        _("cluster window (hours)"), default=72,
        help_text=_("Only parcels whose last scan is this recent form a cluster."))
    baseline_weeks = models.PositiveIntegerField(_("baseline weeks"), default=8)
    recovery_share = models.FloatField(
        _("share of moved parcels that proposes resolution"), default=0.8)
    p1_size = models.PositiveIntegerField(_("parcels for P1"), default=200)
    p0_size = models.PositiveIntegerField(_("parcels for P0"), default=1000)
    spike_window_hours = models.PositiveIntegerField(_("complaint window (hours)"), default=3)
    spike_min_count = models.PositiveIntegerField(
        _("minimum complaints per spike"), default=10,
        help_text=_("Fewer complaints in the window are never a spike, whatever the baseline."))
    spike_z = models.FloatField(_("robust z-score threshold"), default=3.5)
    queue_code = models.CharField(_("incident queue"), max_length=64, default="batch_incident")
    notice_channel = models.CharField(_("notice channel"), max_length=20, default="sms")
    quiet_start = models.TimeField(_("quiet hours start"), default=time(22, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=time(8, 0))
    quiet_time_zone = models.CharField(_("quiet hours time zone"), max_length=40,
                                       default="Asia/Shanghai")
    default_compensation = models.ForeignKey(
        CompensationTemplate, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("default compensation"))
    fresh_compensation = models.ForeignKey(
        CompensationTemplate, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("compensation for fresh goods"),
        help_text=_("Customers with fresh goods get this one (优先理赔)."))
    support_radius_km = models.FloatField(_("support station radius (km)"), default=30)

    class Meta:
        verbose_name = _("anomaly settings")
        verbose_name_plural = _("anomaly settings")

    def __str__(self):
        return str(_("Anomaly settings"))

    @classmethod
    def current(cls) -> "AnomalySettings":
        row = cls.objects.filter(pk=1).first()
        if row is None:
            row, _created = cls.objects.get_or_create(pk=1)
        return row


class HubLocation(models.Model):
    """Coordinates of a hub or station named in tracking data (support suggestions)."""

    name = models.CharField(_("name in tracking data"), max_length=200, unique=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    class Meta:
        verbose_name = _("hub location")
        verbose_name_plural = _("hub locations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Incident(models.Model):
    """One anomaly = one batch-incident ticket. `key` identifies the cluster (location|carrier
    or district|category); at most one incident per key is open at a time."""

    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    key = models.CharField(_("key"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=IncidentStatus.choices,
                              default=IncidentStatus.OPEN, db_index=True)
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.PROTECT,
                                  related_name="incident", verbose_name=_("ticket"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    carrier = models.CharField(_("carrier"), max_length=20, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=64, blank=True)
    shipments_count = models.PositiveIntegerField(_("parcels"), default=0)
    tickets_count = models.PositiveIntegerField(_("linked tickets"), default=0)
    notified_count = models.PositiveIntegerField(_("customers notified"), default=0)
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    compensation = models.ForeignKey(CompensationTemplate, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("compensation"))
    support = models.JSONField(_("support suggestion"), default=list, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last detected at"), default=timezone.now)
    resolution_proposed_at = models.DateTimeField(_("resolution proposed at"), null=True,
                                                  blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch incident")
        verbose_name_plural = _("batch incidents")
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["kind", "key"], condition=~models.Q(status=IncidentStatus.CLOSED),
            name="analytics_one_open_incident_per_key")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class IncidentShipment(models.Model):
    """A parcel caught in an incident: its number, whom to warn, when it stopped moving."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="shipments",
                                 verbose_name=_("incident"))
    tracking_number = models.CharField(_("tracking number"), max_length=40, db_index=True)
    recipient_phone = models.CharField(_("recipient phone"), max_length=11, blank=True)
    goods = models.JSONField(_("goods"), default=list, blank=True)
    stalled_at = models.DateTimeField(_("last scan when caught"), null=True, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    moved_at = models.DateTimeField(_("moved again at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident parcel")
        verbose_name_plural = _("incident parcels")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["incident", "tracking_number"],
                                               name="analytics_incident_parcel_once")]

    def __str__(self):
        return self.tracking_number


class BacklogSample(models.Model):
    """Stalled parcels at a location × carrier as one detection run saw them, per hour."""

    location = models.CharField(_("location"), max_length=200)
    carrier = models.CharField(_("carrier"), max_length=20, blank=True)
    bucket = models.DateTimeField(_("hour"))
    hour_of_week = models.PositiveSmallIntegerField(_("hour of week"))
    count = models.PositiveIntegerField(_("stalled parcels"))

    class Meta:
        verbose_name = _("backlog sample")
        verbose_name_plural = _("backlog samples")
        constraints = [models.UniqueConstraint(fields=["location", "carrier", "bucket"],
                                               name="analytics_backlog_sample_once")]
        indexes = [models.Index(fields=["hour_of_week", "bucket"])]

    def __str__(self):
        return f"{self.location} {self.carrier} {self.bucket:%Y-%m-%d %H}: {self.count}"


class DetectionRun(models.Model):
    at = models.DateTimeField(_("evaluated at"))
    bucket = models.DateTimeField(_("hour"), db_index=True)
    hour_of_week = models.PositiveSmallIntegerField(_("hour of week"))
    clusters = models.PositiveIntegerField(_("stall clusters"), default=0)
    spikes = models.PositiveIntegerField(_("complaint spikes"), default=0)
    created = models.PositiveIntegerField(_("incidents opened"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    finished_at = models.DateTimeField(_("finished at"), default=timezone.now)

    class Meta:
        verbose_name = _("detection run")
        verbose_name_plural = _("detection runs")
        ordering = ["-finished_at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M}"


class BacklogAlertRule(models.Model):
    """In-app alert: waiting tickets of these priorities above the threshold → supervisors,
    once per episode (an episode ends when the count is back at or under the threshold)."""

    name = models.CharField(_("name"), max_length=100)
    priorities = models.JSONField(_("priorities"), default=list)
    threshold = models.PositiveIntegerField(_("threshold"), default=5)
    channel = models.CharField(_("channel"), max_length=20, default="wecom",
                               help_text=_("wecom or dingtalk (group robot)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("backlog alert rule")
        verbose_name_plural = _("backlog alert rules")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AlertEpisode(models.Model):
    rule = models.ForeignKey(BacklogAlertRule, on_delete=models.CASCADE,
                             related_name="episodes", verbose_name=_("rule"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    peak = models.PositiveIntegerField(_("peak"), default=0)

    class Meta:
        verbose_name = _("alert episode")
        verbose_name_plural = _("alert episodes")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["rule"],
                                               condition=models.Q(ended_at__isnull=True),
                                               name="analytics_one_open_episode")]

    def __str__(self):
        return f"{self.rule} {self.started_at:%Y-%m-%d %H:%M}"


class Report(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("to"))
    directory = models.CharField(_("directory"), max_length=500)
    files = models.JSONField(_("files"), default=list)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.period_start):%Y-%m-%d}"
