"""Shipments, their tracking events, the raw payloads they came from, and ops tables.

Nothing here does I/O; every write goes through logistics.actions. Secrets are never stored:
they come from the environment (settings), the source rows only hold ops-editable knobs.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.choices import (
    DeadLetterStatus,
    EtaConfidence,
    PayloadChannel,
    PayloadStatus,
    StallReason,
    Subscription,
    TrackingStatus,
)


class TrackingSource(models.Model):
    """One tracking-data source (adapter code) and its polling knobs; keys live in settings."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=64)
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("Inactive sources are neither polled nor "
                                             "subscribed; their pushes are still accepted."))
    polling_enabled = models.BooleanField(_("polling enabled"), default=False)
    poll_interval_minutes = models.PositiveIntegerField(
        _("poll interval (minutes)"), default=120,
        help_text=_("A live shipment is polled again after this long."))
    min_requery_minutes = models.PositiveIntegerField(
        _("minimum minutes between two queries of one number"), default=0,
        help_text=_("kuaidi100 locks a number queried more than once per 30 minutes."))
    max_requests_per_second = models.FloatField(
        _("maximum requests per second"), default=0,
        help_text=_("0: no limit. 17TRACK allows about 3 requests per second."))

    class Meta:
        verbose_name = _("tracking source")
        verbose_name_plural = _("tracking sources")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Shipment(models.Model):
    tracking_number = models.CharField(_("tracking number"), max_length=40, unique=True)
    carrier = models.CharField(_("carrier"), max_length=20, blank=True)
    source = models.CharField(_("tracking source"), max_length=20, blank=True,
                              help_text=_("The source whose data arrived last."))
    sender_phone = models.CharField(_("sender phone"), max_length=11, blank=True)
    recipient_phone = models.CharField(_("recipient phone"), max_length=11, blank=True)
    origin = models.CharField(_("origin region"), max_length=64, blank=True)
    destination = models.CharField(_("destination region"), max_length=64, blank=True)
    goods = models.JSONField(_("goods"), default=list, blank=True,
                             help_text=_("fresh, valuable, fragile, document, international"))
    status = models.CharField(_("status"), max_length=24, blank=True,
                              choices=TrackingStatus.choices)
    last_event_at = models.DateTimeField(_("last event time"), null=True, blank=True)
    last_location = models.CharField(_("last event location"), max_length=200, blank=True)
    last_description = models.TextField(_("last event description"), blank=True)
    eta = models.DateTimeField(_("estimated delivery"), null=True, blank=True)
    eta_confidence = models.CharField(_("ETA confidence"), max_length=10, blank=True,
                                      choices=EtaConfidence.choices)
    eta_explanation = models.CharField(_("ETA explanation"), max_length=200, blank=True)
    stalled = models.BooleanField(_("stalled"), default=False)
    stall_reason = models.CharField(_("stall reason"), max_length=20, blank=True,
                                    choices=StallReason.choices)
    stalled_since = models.DateTimeField(_("stalled since"), null=True, blank=True)
    subscription = models.CharField(_("push subscription"), max_length=20, blank=True,
                                    choices=Subscription.choices)
    subscription_note = models.CharField(_("subscription note"), max_length=200, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-last_event_at", "-id"]
        # Partial indexes: most shipments come from pushes without phones and are not
        # stalled, so their inserts skip these indexes entirely (webhook and import speed).
        indexes = [
            models.Index(fields=["recipient_phone"], name="shipment_recipient_phone",
                         condition=~models.Q(recipient_phone="")),
            models.Index(fields=["sender_phone"], name="shipment_sender_phone",
                         condition=~models.Q(sender_phone="")),
            models.Index(fields=["last_location"], name="shipment_stalled_at",
                         condition=models.Q(stalled=True)),
        ]

    def __str__(self):
        return self.tracking_number


class TrackingEvent(models.Model):
    """One scan. `event_key` = md5(time UTC | status | description) makes re-pushes no-ops.

    The (shipment, event_key) unique index also serves lookups by shipment, so the foreign key
    has no index of its own. Like Sentry's high-volume event tables it has no database
    constraint either (a per-row trigger that halves bulk-import speed): events are written
    only by logistics.actions, always after their shipment in the same transaction, and the
    ORM still cascades deletes.
    """

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events",
                                 db_index=False, db_constraint=False,
                                 verbose_name=_("shipment"))
    time = models.DateTimeField(_("time"))
    status = models.CharField(_("status"), max_length=24, choices=TrackingStatus.choices)
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    source_code = models.CharField(_("source status code"), max_length=40, blank=True)
    exception_reason = models.CharField(_("exception reason"), max_length=20, blank=True)
    source = models.CharField(_("tracking source"), max_length=20, blank=True)
    event_key = models.CharField(_("event key"), max_length=32)
    payload_id = models.BigIntegerField(_("raw payload"), null=True, blank=True)
    created_at = models.DateTimeField(_("stored at"), default=timezone.now)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["time", "id"]
        constraints = [models.UniqueConstraint(fields=["shipment", "event_key"],
                                               name="tracking_event_once")]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.status} {self.location}"


class RawPayload(models.Model):
    """Every body that passed signature checks, archived before it is parsed."""

    source = models.CharField(_("tracking source"), max_length=20)
    channel = models.CharField(_("channel"), max_length=10, choices=PayloadChannel.choices)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    body = models.BinaryField(_("body"))
    sha256 = models.CharField("SHA-256", max_length=64)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    # Not indexed: the status changes once per payload, and an index on it would make that
    # UPDATE rewrite every index entry (no HOT update) on the webhook's hot path.
    status = models.CharField(_("status"), max_length=10, choices=PayloadStatus.choices,
                              default=PayloadStatus.RECEIVED)
    kind = models.CharField(_("kind"), max_length=10, blank=True,
                            help_text=_("push or query, as the adapter tells"))
    numbers = models.JSONField(_("tracking numbers"), default=list, blank=True)
    events_stored = models.PositiveIntegerField(_("new events"), default=0)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("raw payload")
        verbose_name_plural = _("raw payloads")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.source} #{self.pk} {self.received_at:%Y-%m-%d %H:%M:%S}"

    @property
    def text(self) -> str:
        return bytes(self.body).decode("utf-8", "replace")


class DeadLetter(models.Model):
    """A payload that could not be turned into events; ops replay it from admin."""

    payload = models.OneToOneField(RawPayload, on_delete=models.CASCADE,
                                   related_name="dead_letter", verbose_name=_("raw payload"))
    source = models.CharField(_("tracking source"), max_length=20)
    code = models.CharField(_("error code"), max_length=40)
    error = models.TextField(_("error"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DeadLetterStatus.choices,
                              default=DeadLetterStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("replay attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    replayed_at = models.DateTimeField(_("replayed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.source} {self.code} #{self.pk}"


class StallThreshold(models.Model):
    """Hours without a new scan after which a parcel in `status` counts as stalled."""

    status = models.CharField(_("status"), max_length=24, unique=True,
                              choices=TrackingStatus.choices)
    hours = models.PositiveIntegerField(_("hours without a scan"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stall threshold")
        verbose_name_plural = _("stall thresholds")
        ordering = ["status"]

    def __str__(self):
        return f"{self.get_status_display()}: {self.hours} h"


class LaneStat(models.Model):
    """Median hours from the last scan in a stage to delivery, learned from delivered parcels.

    Empty origin/destination: carrier-wide; empty carrier too: global. Rebuilt by
    `logistics.refresh_lane_stats`.
    """

    carrier = models.CharField(_("carrier"), max_length=20, blank=True)
    origin = models.CharField(_("origin region"), max_length=64, blank=True)
    destination = models.CharField(_("destination region"), max_length=64, blank=True)
    stage = models.CharField(_("stage"), max_length=24, choices=TrackingStatus.choices)
    remaining_hours = models.FloatField(_("median hours to delivery"))
    dwell_hours = models.FloatField(_("median hours to the next scan"), null=True, blank=True)
    samples = models.PositiveIntegerField(_("samples"))
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("lane transit time")
        verbose_name_plural = _("lane transit times")
        ordering = ["carrier", "origin", "destination", "stage"]
        constraints = [models.UniqueConstraint(
            fields=["carrier", "origin", "destination", "stage"], name="lane_stat_once")]

    def __str__(self):
        lane = f"{self.origin or '*'}→{self.destination or '*'}"
        return f"{self.carrier or '*'} {lane} {self.stage}: {self.remaining_hours:.1f} h"
