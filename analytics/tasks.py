"""Celery entry points (beat: detection every 10 minutes, backlog alert each minute, reports
daily and weekly; schedules in config/settings.py, editable in admin afterwards)."""

from celery import shared_task


@shared_task(name="analytics.detect_anomalies", ignore_result=True)
def detect_anomalies() -> int:
    from analytics.actions import do_detect_anomalies

    return sum(o.created for o in do_detect_anomalies())


@shared_task(name="analytics.check_backlog_alerts", ignore_result=True)
def check_backlog_alerts() -> int:
    from analytics.actions import do_check_backlog_alerts

    return len(do_check_backlog_alerts())


@shared_task(name="analytics.settle_incident", ignore_result=True)
def settle_incident(incident_id: int) -> dict:
    from analytics.actions import do_settle_incident

    return do_settle_incident(incident_id)


@shared_task(name="analytics.build_report", ignore_result=True)
def build_report(kind: str = "daily") -> int:
    """The previous day (daily) or the previous ISO week (weekly), into ANALYTICS_REPORT_DIR."""
    from analytics.reports import build_scheduled_report

    return build_scheduled_report(kind).pk
