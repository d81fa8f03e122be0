"""Celery entry points: take ids, call an action, own retries."""

from celery import shared_task


@shared_task(name="stations.escalate_overdue_tasks", ignore_result=True)
def escalate_overdue_tasks() -> int:
    from stations.actions import do_escalate_overdue_tasks

    return do_escalate_overdue_tasks()


@shared_task(name="stations.expire_address_checks", ignore_result=True)
def expire_address_checks() -> int:
    from stations.actions import do_expire_address_checks

    return do_expire_address_checks()
