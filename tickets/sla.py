"""SLA deadlines. Targets come from SlaPolicy: the category's own policy, else the priority's."""

from datetime import datetime, timedelta

from django.db.models import Q

from tickets.models import SlaPolicy


def policy_for(priority: str, category_id: int | None) -> SlaPolicy | None:
    scope = Q(category__isnull=True)
    if category_id:
        scope |= Q(category_id=category_id)
    policies = {p.category_id: p for p in SlaPolicy.objects.filter(scope, priority=priority,
                                                                    active=True)}
    return policies.get(category_id) or policies.get(None)


def add_minutes(start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)


def deadlines(priority: str, category_id: int | None, start: datetime):
    """(response_due, resolve_due) from `start`, or (None, None) when no policy applies."""
    policy = policy_for(priority, category_id)
    if policy is None:
        return None, None
    return add_minutes(start, policy.response_minutes), add_minutes(start, policy.resolve_minutes)
