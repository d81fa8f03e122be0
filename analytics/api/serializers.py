"""Input/Output serializers of the analytics API; the help texts are the KPI definitions that
drf-spectacular publishes in the OpenAPI schema."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from analytics.kpis import GROUP_BY

RATE = _("0–1; null when there is nothing to divide by.")


class PeriodBound(serializers.DateTimeField):
    """An ISO 8601 instant, or a date meaning its midnight in Asia/Shanghai."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                day = parse_date(value.strip())
            except ValueError:  # well formed, impossible (2026-13-01)
                self.fail("invalid", format="YYYY-MM-DD")
            if day is not None:
                return timezone.make_aware(datetime.combine(day, time.min))
        return super().to_internal_value(value)


class KpiInput(serializers.Serializer):
    """Both bounds are optional: `to` defaults to now, `from` to 30 days before `to`."""

    from_ = PeriodBound(required=False, help_text=_(
        "Start of the period (inclusive), ISO 8601 or a date; default 30 days before `to`."))
    to = PeriodBound(required=False, help_text=_(
        "End of the period (exclusive), ISO 8601 or a date; default now."))
    group_by = serializers.ChoiceField(choices=GROUP_BY, required=False, allow_blank=True,
                                       help_text=_("Also per category, priority, queue, agent, "
                                                   "region (province) or channel."))

    def validate(self, attrs):
        attrs.setdefault("to", timezone.now())
        attrs.setdefault("from", attrs["to"] - timedelta(days=30))
        if attrs["from"] >= attrs["to"]:
            raise serializers.ValidationError({"to": _("Must be after from.")})
        return attrs


class TicketFigures(serializers.Serializer):
    volume = serializers.IntegerField(help_text=_("Tickets created in [from, to)."))
    closed = serializers.IntegerField(help_text=_("Of those, closed before `to`."))
    resolution_rate = serializers.FloatField(
        allow_null=True, help_text=_("closed / volume (0–1)."))
    first_response_minutes = serializers.FloatField(
        allow_null=True, help_text=_("Mean minutes from creation to the first response "
                                     "(start of work or a public reply), over responded "
                                     "tickets."))
    handling_minutes = serializers.FloatField(
        allow_null=True, help_text=_("Mean minutes from creation to the proposed resolution "
                                     "(submitted for review) before `to`."))
    response_sla = serializers.FloatField(
        allow_null=True, help_text=_("Response SLA attainment: responded by the due time / "
                                     "tickets decided (responded, or due time past)."))
    resolution_sla = serializers.FloatField(
        allow_null=True, help_text=_("Resolution SLA attainment: resolved by the due time / "
                                     "tickets decided (resolved, or due time past)."))
    reopen_rate = serializers.FloatField(
        allow_null=True, help_text=_("二次投诉: tickets reopened at least once / tickets closed "
                                     "at least once."))
    routing_acceptance = serializers.FloatField(
        allow_null=True, help_text=_("Assigned tickets whose first owner kept them (never "
                                     "released or transferred) / assigned tickets."))
    csat_average = serializers.FloatField(
        allow_null=True, help_text=_("Mean score (1–5) of surveys sent in the period and "
                                     "answered."))
    csat_response_rate = serializers.FloatField(
        allow_null=True, help_text=_("Answered surveys / surveys sent in the period."))


class OverallFigures(TicketFigures):
    chat_sessions = serializers.IntegerField(help_text=_("Chat sessions started in the period."))
    bot_self_service_rate = serializers.FloatField(
        allow_null=True, help_text=_("Sessions that ended with neither a ticket nor a handoff "
                                     "/ sessions."))
    handoff_rate = serializers.FloatField(
        allow_null=True, help_text=_("Sessions handed to an agent or that opened a ticket / "
                                     "sessions."))
    agent_utilisation = serializers.FloatField(
        allow_null=True, help_text=_("Open (assigned + processing) tickets / capacity of the "
                                     "agents with a profile, at request time."))


class GroupFigures(TicketFigures):
    key = serializers.CharField(allow_null=True, help_text=_("Code of the group."))
    label = serializers.CharField(allow_null=True, help_text=_("Its display name."))
    agent_utilisation = serializers.FloatField(
        required=False, allow_null=True,
        help_text=_("group_by=agent only: the agent's open tickets / capacity, now."))


class RootCause(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()
    tickets = serializers.IntegerField(help_text=_("Resolved tickets of the period."))
    handling_minutes = serializers.FloatField(help_text=_("Their mean handling time."))
    median_minutes = serializers.FloatField(
        help_text=_("Median over categories of the mean handling time."))
    vs_median_pct = serializers.FloatField(
        allow_null=True, help_text=_("How much longer (+) or shorter (−) than the median "
                                     "category, in percent."))


class KpiOutput(serializers.Serializer):
    from_ = serializers.DateTimeField()
    to = serializers.DateTimeField()
    group_by = serializers.CharField(allow_null=True)
    overall = OverallFigures()
    groups = GroupFigures(many=True)
    root_causes = RootCause(many=True)


# `from` is a Python keyword: the fields are declared as from_ and renamed here.
for _serializer in (KpiInput, KpiOutput):
    _serializer._declared_fields = {("from" if k == "from_" else k): v
                                    for k, v in _serializer._declared_fields.items()}


class IncidentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    ticket_id = serializers.IntegerField()
    ticket_number = serializers.CharField(source="ticket.number")
    title = serializers.CharField(source="ticket.title")
    priority = serializers.CharField(source="ticket.priority")
    location = serializers.CharField()
    carrier = serializers.CharField()
    district = serializers.CharField()
    category = serializers.CharField()
    shipments = serializers.IntegerField(source="shipments_count")
    tickets = serializers.IntegerField(source="tickets_count")
    notified = serializers.IntegerField(source="notified_count")
    baseline = serializers.FloatField(allow_null=True)
    compensation = serializers.CharField(source="compensation.code", allow_null=True,
                                         default=None)
    support = serializers.JSONField(help_text=_("Nearby stations with spare capacity."))
    opened_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    resolution_proposed_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class ReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    files = serializers.ListField(child=serializers.CharField())
    url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_url(self, obj) -> str:
        return f"/api/analytics/reports/{obj.pk}/files/report.html"
