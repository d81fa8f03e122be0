"""The in-app backlog alert: waiting tickets of some priorities above a threshold → the
supervisors hear it through the outbox (WeCom/DingTalk robot), once per episode.

An episode opens when the count exceeds the threshold and closes when it is back at or under
it; only the opening notifies. The Prometheus rule in analytics/alerts.rules.yml says the same
for Alertmanager deployments.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.models import AlertEpisode, BacklogAlertRule


def waiting_counts() -> dict[str, int]:
    """Tickets waiting for an agent (received), per priority."""
    from tickets.choices import Status
    from tickets.roles import system_user
    from tickets.selectors import visible_tickets

    return dict(visible_tickets(system_user()).filter(status=Status.RECEIVED).order_by()
                .values_list("priority").annotate(n=Count("id")).values_list("priority", "n"))


def do_check_backlog_alerts(now=None) -> list[AlertEpisode]:
    """Opens (and notifies) or closes each active rule's episode; returns episodes opened."""
    from tickets.actions import do_enqueue_notification
    from tickets.roles import Role

    now = now or timezone.now()
    counts = waiting_counts()
    opened = []
    for rule in BacklogAlertRule.objects.filter(active=True):
        waiting = sum(counts.get(p, 0) for p in rule.priorities)
        with transaction.atomic():
            episode = (AlertEpisode.objects.select_for_update()
                       .filter(rule=rule, ended_at__isnull=True).first())
            if waiting <= rule.threshold:
                if episode is not None:
                    episode.ended_at = now
                    episode.save(update_fields=["ended_at"])
                continue
            if episode is not None:
                if waiting > episode.peak:
                    episode.peak = waiting
                    episode.save(update_fields=["peak"])
                continue
            try:
                with transaction.atomic():
                    episode = AlertEpisode.objects.create(rule=rule, started_at=now,
                                                          peak=waiting)
            except IntegrityError:  # another worker opened it at the same moment
                continue
            text = _("%(count)d %(priorities)s tickets are waiting for an agent (threshold "
                     "%(threshold)d).") % {"count": waiting,
                                           "priorities": "/".join(rule.priorities),
                                           "threshold": rule.threshold}
            for supervisor in get_user_model().objects.filter(groups__name=Role.SUPERVISOR,
                                                              is_active=True):
                do_enqueue_notification(
                    channel=rule.channel, recipient=supervisor.username, body=text,
                    subject=_("Backlog alert"),
                    payload={"kind": "backlog_alert", "rule": rule.pk, "waiting": waiting},
                    dedupe_key=f"backlog:{rule.pk}:{episode.pk}:{supervisor.pk}")
            opened.append(episode)
    return opened
