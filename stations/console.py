"""The station tasks of a ticket in the agent console, through tickets.hooks (tickets never
imports stations): what was asked of which 网点, by when, and what it answered."""

from django.utils import timezone

from stations import selectors
from stations.choices import TaskResult, TaskStatus

TEMPLATE = "stations/console/ticket_tasks.html"


def ticket_panel(user, ticket) -> dict:
    """Caller (the console) got `ticket` through tickets.selectors scoping for `user`."""
    now = timezone.now()
    tasks = selectors.ticket_station_tasks(ticket.pk)
    return {"template": TEMPLATE, "context": {
        "tasks": [{"task": t, "overdue": t.status == TaskStatus.OPEN and t.due_at < now,
                   "result": _result_label(t.result)} for t in tasks],
        "open": sum(t.status == TaskStatus.OPEN for t in tasks)}}


def _result_label(result: str) -> str:
    return str(TaskResult(result).label) if result in TaskResult.values else result
