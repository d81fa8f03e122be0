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
    # A paused resolution clock (tickets/actions/clock.py) cannot breach.
    SlaKind.RESOLUTION: ("resolve_due", "resolve_breached_at",
                         Q(resolved_at__isnull=True, sla_paused_at__isnull=True)
                         & ~Q(status__in=[Status.REVIEW, Status.CLOSED])),
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
        push_ticket(ticket, op="update", change="sla_breach", data={"sla": kind},
                    figures=True)
    return True


def record_sla_breaches(now=None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {}
    for kind in (SlaKind.RESPONSE, SlaKind.RESOLUTION):
        counts[kind] = sum(do_record_breach(pk, kind, now=now)
                           for pk in breached_ticket_ids(kind, now))
    return counts


def warn_sla_deadlines(now=None) -> int:
    """Consoles hear once when an open ticket's deadline is near: remaining time at most
    SLA_WARNING_FRACTION of its window, and at most SLA_WARNING_MAX_MINUTES. A live warning
    only (no audit row, nothing changes): the once-only mark is a cache key (atomic `add` on
    Redis). Returns how many warnings went out."""
    from datetime import timedelta

    from django.core.cache import cache

    from config.effects import send_event_on_commit
    from tickets.actions.common import ticket_groups

    now = now or timezone.now()
    horizon = now + timedelta(minutes=settings.SLA_WARNING_MAX_MINUTES)
    sent = 0
    for kind, (due_field, mark_field, open_q) in _BREACH.items():
        rows = Ticket.objects.filter(open_q, **{f"{due_field}__gt": now,
                                                f"{due_field}__lte": horizon,
                                                f"{mark_field}__isnull": True})
        for ticket in rows.only("id", "number", "title", "status", "priority", "owner_id",
                                "queue_id", "created_at", due_field):
            due = getattr(ticket, due_field)
            window = (due - ticket.created_at).total_seconds()
            left = (due - now).total_seconds()
            if left > window * settings.SLA_WARNING_FRACTION:
                continue
            if not cache.add(f"sla-warn:{ticket.pk}:{kind}:{int(due.timestamp())}", 1,
                             timeout=int(left) + 60):
                continue
            send_event_on_commit(ticket_groups(ticket), {
                "type": "sla", "op": "warning", "sla": kind, "ticket_id": ticket.pk,
                "number": ticket.number, "title": ticket.title, "due": due.isoformat(),
                "minutes_left": max(int(left // 60), 0)})
            sent += 1
    return sent
