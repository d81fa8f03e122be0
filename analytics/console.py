"""The supervisor console's analytics panels, through tickets.hooks (tickets never imports
analytics): stored reports with links to their files, and open batch incidents with their
linked complaints and the stations suggested to support them."""

from django.db.models import Count, Q
from django.urls import reverse

from analytics import selectors
from tickets.choices import Status
from tickets.roles import Role, has_role

REPORTS_LIMIT = 10
INCIDENTS_LIMIT = 20


def _may_see(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.OPS)


def reports_panel(user) -> dict | None:
    if not _may_see(user):
        return None
    reports = [{"report": r, "files": [
        {"name": name, "url": reverse("analytics-report-file", args=[r.pk, name])}
        for name in r.files]} for r in selectors.report_list()[:REPORTS_LIMIT]]
    return {"template": "analytics/console/reports.html", "context": {"reports": reports}}


def incidents_panel(user) -> dict | None:
    if not _may_see(user):
        return None
    incidents = selectors.open_incidents().annotate(
        n_children=Count("ticket__children", distinct=True),
        n_open_children=Count("ticket__children", distinct=True,
                              filter=~Q(ticket__children__status=Status.CLOSED)))
    return {"template": "analytics/console/incidents.html",
            "context": {"incidents": list(incidents[:INCIDENTS_LIMIT])}}
