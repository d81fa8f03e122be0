"""SLA breaches: each recorded once, escalated to the supervisors and notified."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.actions.common import push_ticket, record_event
from tickets.actions.notify import do_enqueue_notification
from tickets.choices import EventKind, SlaKind, Status
from tickets.models import Ticket
from tickets.roles import Role, system_user

_BREACH = {
    SlaKind.RESPONSE: ("response_due", "response_breached_at",
                       Q(first_responded_at__isnull=True) & ~Q(status=Status.CLOSED)),
    SlaKind.RESOLUTION: ("resolve_due", "resolve_breached_at",
                         Q(resolved_at__isnull=True) & ~Q(status__in=[Status.REVIEW,
                                                                      Status.CLOSED])),
}


def breached_ticket_ids(kind: str, now=None) -> list[int]:
    due_field, mark_field, open_q = _BREACH[kind]
    now = now or timezone.now()
    return list(Ticket.objects.filter(open_q, **{f"{due_field}__lt": now,
                                                 f"{mark_field}__isnull": True})
                .values_list("pk", flat=True))


def supervisors():
    return get_user_model().objects.filter(groups__name=Role.SUPERVISOR, is_active=True)


def notify_supervisors(ticket: Ticket, text: str, *, key: str) -> None:
    """One message per supervisor per (ticket, key), through the configured channel."""
    for supervisor in supervisors():
        do_enqueue_notification(
            channel=settings.NOTIFY_SUPERVISOR_CHANNEL, recipient=supervisor.username,
            subject=_("Escalation"), body=text, ticket=ticket,
            payload={"kind": "escalation", "reason": key},
            dedupe_key=f"escalation:{ticket.pk}:{key}:{ticket.reopen_count}:{supervisor.pk}")


def do_record_breach(ticket_id: int, kind: str, *, now=None) -> bool:
    """Marks the breach if not yet marked (a conditional UPDATE: once, even under concurrent
    runs), audits it, escalates to the supervisors. False when there was nothing to record."""
    due_field, mark_field, open_q = _BREACH[kind]
    now = now or timezone.now()
    with transaction.atomic():
        marked = Ticket.objects.filter(open_q, pk=ticket_id, **{
            f"{due_field}__lt": now, f"{mark_field}__isnull": True,
        }).update(**{mark_field: now, "escalated": True, "updated_at": now})
        if not marked:
            return False
        ticket = Ticket.objects.select_related("category").get(pk=ticket_id)
        actor = system_user()
        due = getattr(ticket, due_field)
        record_event(ticket, EventKind.SLA_BREACH, actor=actor,
                     data={"sla": kind, "due": due.isoformat(), "detected_at": now.isoformat()})
        record_event(ticket, EventKind.ESCALATION, actor=actor,
                     data={"reason": f"{kind}_sla_breach", "to": "supervisor"})
        label = _("response") if kind == SlaKind.RESPONSE else _("resolution")
        notify_supervisors(
            ticket,
            _("SLA breach (%(label)s): ticket %(number)s %(title)s, %(priority)s, was due "
              "%(due)s.") % {"label": label, "number": ticket.number, "title": ticket.title,
                             "priority": ticket.get_priority_display(),
                             "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")},
            key=f"{kind}_breach")
        push_ticket(ticket, op="update", change="sla_breach")
    return True


def record_sla_breaches(now=None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {}
    for kind in (SlaKind.RESPONSE, SlaKind.RESOLUTION):
        counts[kind] = sum(do_record_breach(pk, kind, now=now)
                           for pk in breached_ticket_ids(kind, now))
    return counts
