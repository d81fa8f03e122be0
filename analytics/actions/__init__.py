"""Every write of analytics (HOUSE_STYLE.md); tickets are changed only through their actions."""

from analytics.actions.alerts import do_check_backlog_alerts
from analytics.actions.incidents import (
    do_check_recovery,
    do_detect_anomalies,
    do_settle_incident,
    do_suggest_support,
    link_new_ticket,
    on_ticket_transition,
)
from analytics.actions.notices import do_notify_affected_customers, quiet_until

__all__ = [
    "do_check_backlog_alerts", "do_check_recovery", "do_detect_anomalies",
    "do_notify_affected_customers", "do_settle_incident", "do_suggest_support",
    "link_new_ticket", "on_ticket_transition", "quiet_until",
]
