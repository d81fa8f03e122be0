"""Celery entry points: take ids, call an action, own retries."""

from celery import shared_task

from routing.choices import Trigger


@shared_task(name="routing.route_ticket", ignore_result=True)
def route_ticket(ticket_id: int, trigger: str = Trigger.CREATED,
                 exclude_user_id: int | None = None) -> int | None:
    from routing.actions import check_route_ticket

    decision = check_route_ticket(ticket_id=ticket_id, trigger=trigger,
                                  exclude_user_id=exclude_user_id)
    return decision.pk if decision else None


@shared_task(name="routing.drain_agent", ignore_result=True)
def drain_agent(user_id: int, skip_ticket_id: int | None = None) -> int:
    from routing.actions import do_drain_agent

    return do_drain_agent(user_id, skip_ticket_id=skip_ticket_id)


@shared_task(name="routing.drain_queues", ignore_result=True)
def drain_queues() -> int:
    from routing.actions import do_drain_queues

    return do_drain_queues()


@shared_task(name="routing.alert_waiting_tickets", ignore_result=True)
def alert_waiting_tickets() -> int:
    from routing.actions import do_alert_waiting_tickets

    return do_alert_waiting_tickets()


@shared_task(name="routing.escalate_response_breaches", ignore_result=True)
def escalate_response_breaches() -> int:
    from routing.actions import do_escalate_response_breaches

    return do_escalate_response_breaches()


@shared_task(name="routing.refresh_performance", ignore_result=True)
def refresh_performance(user_id: int | None = None, category_id: int | None = None) -> int:
    """Hourly for everyone; after a quality review for that agent and category."""
    from routing.actions import do_refresh_performance

    return do_refresh_performance(user_id=user_id, category_id=category_id)
