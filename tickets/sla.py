"""SLA deadlines. Targets come from SlaPolicy: the category's own policy, else the priority's."""

from datetime import datetime, timedelta

from tickets import catalog


def add_minutes(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)


def deadlines(priority: str, category_id: int | None, start: datetime):
    """(response_due, resolve_due) from `start`, or (None, None) when no policy applies."""
    policy = catalog.sla_policy(priority, category_id)
    if policy is None:
        return None, None
    return add_minutes(start, policy.response_minutes), add_minutes(start, policy.resolve_minutes)
