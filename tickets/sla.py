"""SLA deadlines. Targets come from SlaPolicy: the category's own policy, else the priority's.

They count in business time (tickets/calendars.py): the ticket's queue's calendar, else the
policy's, else 24×7.
"""

from datetime import datetime, timedelta

from tickets import calendars, catalog


def add_minutes(start: datetime, minutes: int, calendar=None) -> datetime:
    if calendar is None:
        return start + timedelta(minutes=minutes)
    return calendar.add(start, minutes=minutes)


def ticket_calendar(priority: str, category_id: int | None, queue_id: int | None = None):
    return calendars.calendar_for_ticket(policy=catalog.sla_policy(priority, category_id),
                                         queue_id=queue_id)


def deadlines(priority: str, category_id: int | None, start: datetime,
              queue_id: int | None = None):
    """(response_due, resolve_due) from `start`, or (None, None) when no policy applies."""
    policy = catalog.sla_policy(priority, category_id)
    if policy is None:
        return None, None
    calendar = calendars.calendar_for_ticket(policy=policy, queue_id=queue_id)
    return (add_minutes(start, policy.response_minutes, calendar),
            add_minutes(start, policy.resolve_minutes, calendar))
