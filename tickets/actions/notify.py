"""The notification outbox: rows written in the caller's transaction, sent after commit.

A send never runs inside a database transaction. A row is claimed with a lease (its
`next_attempt_at` pushed forward), sent, then marked; a worker that dies mid-send leaves the row
pending and the minute task picks it up when the lease runs out. Failures back off and retry
until NOTIFY_MAX_ATTEMPTS, then stay `failed` in admin, where ops can send them again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.effects import enqueue_on_commit
from config.masking import mask_phone
from tickets.actions.common import record_event
from tickets.choices import EventKind, NotificationStatus
from tickets.models import Notification
from tickets.notifications import get_backend
from tickets.roles import system_user

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)


def do_enqueue_notification(*, channel: str, recipient: str, body: str, subject: str = "",
                            ticket=None, payload=None, dedupe_key: str | None = None,
                            not_before=None):
    """Adds a message to the outbox; with `dedupe_key`, a second call returns the first row.
    `not_before` defers the send (quiet hours): the minute retry task sends it when due."""
    if dedupe_key:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                channel=channel, recipient=recipient, body=body, subject=subject,
                ticket=ticket, payload=payload or {}, dedupe_key=dedupe_key,
                **({"next_attempt_at": not_before} if not_before else {}))
    except IntegrityError:  # the same key written concurrently
        return Notification.objects.get(dedupe_key=dedupe_key)
    from tickets.tasks import send_notification

    enqueue_on_commit(send_notification, notification_id=notification.pk)
    return notification


def _claim(notification_id: int) -> Notification | None:
    now = timezone.now()
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(skip_locked=True)
                        .filter(pk=notification_id, status=NotificationStatus.PENDING,
                                next_attempt_at__lte=now).first())
        if notification is None:
            return None
        notification.attempts += 1
        notification.next_attempt_at = now + LEASE
        notification.save(update_fields=["attempts", "next_attempt_at"])
    return notification


def deliver_notification(notification_id: int) -> bool:
    """Sends one pending message if it is due. True when it went out."""
    notification = _claim(notification_id)
    if notification is None:
        return False
    try:
        get_backend(notification.channel).send(notification)
    except Exception as exc:  # any backend failure is retried; the row keeps the error
        _record_failure(notification, exc)
        return False
    with transaction.atomic():
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["status", "sent_at", "last_error"])
        if notification.ticket_id:
            recipient = notification.recipient
            record_event(notification.ticket, EventKind.NOTIFICATION, actor=system_user(),
                         data={"notification_id": notification.pk,
                               "channel": notification.channel,
                               "recipient": mask_phone(recipient) if recipient.isdigit()
                               else recipient,
                               "kind": notification.payload.get("kind", "")})
    return True


def _record_failure(notification: Notification, exc: Exception) -> None:
    attempts = notification.attempts
    gave_up = attempts >= settings.NOTIFY_MAX_ATTEMPTS
    notification.status = NotificationStatus.FAILED if gave_up else NotificationStatus.PENDING
    notification.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
    notification.next_attempt_at = timezone.now() + timedelta(minutes=min(2 ** attempts, 60))
    notification.save(update_fields=["status", "last_error", "next_attempt_at"])
    logger.warning("notification %s attempt %s failed: %s", notification.pk, attempts,
                   notification.last_error)


def due_notification_ids(limit: int = 500) -> list[int]:
    return list(Notification.objects.filter(
        status=NotificationStatus.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def do_retry_notifications(queryset) -> int:
    """Admin: failed messages go back to pending and are sent again."""
    ids = list(queryset.filter(status=NotificationStatus.FAILED).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(
        status=NotificationStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
    from tickets.tasks import send_notification

    for pk in ids:
        enqueue_on_commit(send_notification, notification_id=pk)
    return len(ids)
