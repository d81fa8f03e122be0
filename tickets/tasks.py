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


@shared_task(name="tickets.warn_sla_deadlines", ignore_result=True)
def warn_sla_deadlines() -> int:
    """Each minute: live warnings to the consoles before a deadline passes."""
    from tickets.actions.sla import warn_sla_deadlines as warn

    return warn()


@shared_task(name="tickets.sync_clock_pauses", ignore_result=True)
def sync_clock_pauses() -> dict:
    """Customs pauses and carrier no-update escalation (tickets/actions/clock.py)."""
    from tickets.actions.clock import do_sync_shipment_pauses

    return do_sync_shipment_pauses()


@shared_task(name="tickets.push_queue_figures", ignore_result=True)
def push_queue_figures(queue_ids: list[int]) -> None:
    """At most one per queue set and second (config/effects.py enqueue_once_on_commit)."""
    from tickets.actions.common import do_push_queue_figures

    do_push_queue_figures(queue_ids)
