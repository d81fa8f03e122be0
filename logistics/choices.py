"""Vocabularies of the logistics app. Status and goods codes are shared (DESIGN.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackingStatus(models.TextChoices):
    CREATED = "created", _("Order created")
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    ARRIVED_AT_HUB = "arrived_at_hub", _("Arrived at hub")
    CUSTOMS = "customs", _("Customs")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    AVAILABLE_FOR_PICKUP = "available_for_pickup", _("Waiting for pickup")
    DELIVERED = "delivered", _("Delivered")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    EXCEPTION = "exception", _("Exception")
    RETURNED = "returned", _("Returned")


# A parcel in one of these has arrived somewhere for good: no stall, no ETA.
FINAL_STATUSES = frozenset({TrackingStatus.DELIVERED, TrackingStatus.RETURNED})


class Goods(models.TextChoices):
    FRESH = "fresh", _("Fresh food")
    VALUABLE = "valuable", _("Valuable")
    FRAGILE = "fragile", _("Fragile")
    DOCUMENT = "document", _("Document")
    INTERNATIONAL = "international", _("International")


class PayloadChannel(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook push")
    COMMAND = "command", _("ingest_tracking command")
    POLL = "poll", _("Polling")
    REPLAY = "replay", _("Replay")


class PayloadStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not processed yet")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed (dead letter)")


class DeadLetterStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REPLAYED = "replayed", _("Replayed")
    DISCARDED = "discarded", _("Discarded")


class StallReason(models.TextChoices):
    STUCK = "stuck", _("No scan for too long")
    WEATHER = "weather", _("Severe weather")
    CUSTOMS = "customs", _("Customs clearance")
    EXCEPTION = "exception", _("Carrier reported an exception")


class Subscription(models.TextChoices):
    NONE = "", _("Not requested")
    PENDING = "pending", _("Subscribing")
    SUBSCRIBED = "subscribed", _("Subscribed")
    NOT_SUBSCRIBED = "not_subscribed", _("Not subscribed (no credentials or no push)")
    FAILED = "failed", _("Subscription failed")


class EtaConfidence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
