"""Celery entry points: take ids, call an action, own retries."""

from celery import shared_task

from tickets import actions


@shared_task(name="tickets.send_notification", ignore_result=True)
def send_notification(notification_id: int) -> bool:
    return actions.deliver_notification(notification_id)


@shared_task(name="tickets.retry_notifications", ignore_result=True)
def retry_notifications() -> int:
    """Each minute: sends what is due (failed earlier, or whose enqueue never ran)."""
    from tickets.actions.notify import due_notification_ids

    return sum(actions.deliver_notification(pk) for pk in due_notification_ids())


@shared_task(name="tickets.check_sla_breaches", ignore_result=True)
def check_sla_breaches() -> dict:
    return actions.record_sla_breaches()
