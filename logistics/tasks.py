"""Celery entry points: take ids, call an action, own retries."""

from celery import shared_task

from logistics import outbound


@shared_task(name="logistics.subscribe_shipment", bind=True, ignore_result=True,
             max_retries=5, autoretry_for=(outbound.SourceHttpError,), retry_backoff=30,
             retry_backoff_max=1800)
def subscribe_shipment(self, shipment_id: int) -> str:
    from logistics.actions.poll import do_subscribe_shipment

    return do_subscribe_shipment(shipment_id)


@shared_task(name="logistics.poll_shipment", bind=True, ignore_result=True, max_retries=3)
def poll_shipment(self, shipment_id: int, source: str | None = None) -> dict:
    """One query; a spent per-second budget is retried a second later, HTTP failures with
    back-off. A number under its re-query lock is skipped (the next round gets it)."""
    from dataclasses import asdict

    from logistics.actions.poll import do_poll_shipment

    try:
        outcome = do_poll_shipment(shipment_id, source=source)
    except outbound.SourceHttpError as exc:
        raise self.retry(exc=exc, countdown=60 * 2 ** self.request.retries) from None
    if outcome.status == "rate_limited" and not self.request.is_eager:
        raise self.retry(countdown=1)
    return asdict(outcome)


@shared_task(name="logistics.poll_due_shipments", ignore_result=True)
def poll_due_shipments() -> int:
    from config.effects import enqueue_on_commit
    from logistics.actions.poll import due_for_polling

    ids = due_for_polling()
    for shipment_id in ids:
        enqueue_on_commit(poll_shipment, shipment_id=shipment_id)
    return len(ids)


@shared_task(name="logistics.detect_stalls", ignore_result=True)
def detect_stalls() -> dict:
    from logistics.actions.stalls import detect_stalls as run

    return run()


@shared_task(name="logistics.refresh_lane_stats", ignore_result=True)
def refresh_lane_stats() -> dict:
    from logistics.actions.eta import refresh_lane_stats as run

    return run()
