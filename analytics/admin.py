"""Ops screens: detection settings and compensation templates (edited), incidents, backlog
alert rules, reports with a link to each file. Detection and report schedules live in
django-celery-beat's "Periodic tasks" (analytics.detect_anomalies, analytics.build_report)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from analytics.models import (
    AlertEpisode,
    AnomalySettings,
    BacklogAlertRule,
    CompensationTemplate,
    DetectionRun,
    HubLocation,
    Incident,
    IncidentShipment,
    Report,
)


@admin.register(AnomalySettings)
class AnomalySettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (_("Stall clusters"), {"fields": ["stall_min_count", "stall_backlog_multiple",
                                          "stall_window_hours", "baseline_weeks",
                                          "recovery_share", "p1_size", "p0_size"]}),
        (_("Complaint spikes"), {"fields": ["spike_window_hours", "spike_min_count",
                                            "spike_z"]}),
        (_("Incidents and notices"), {"fields": [
            "queue_code", "notice_channel", "quiet_start", "quiet_end", "quiet_time_zone",
            "default_compensation", "fresh_compensation", "support_radius_km"]}),
    ]

    def has_add_permission(self, request):
        return not AnomalySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompensationTemplate)
class CompensationTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "text", "active"]


@admin.register(HubLocation)
class HubLocationAdmin(admin.ModelAdmin):
    list_display = ["name", "latitude", "longitude"]
    search_fields = ["name"]


class IncidentShipmentInline(admin.TabularInline):
    model = IncidentShipment
    fields = ["tracking_number", "stalled_at", "added_at", "moved_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    show_change_link = False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["ticket_link", "kind", "status", "location", "carrier", "district",
                    "category", "shipments_count", "tickets_count", "notified_count",
                    "opened_at"]
    list_filter = ["kind", "status"]
    search_fields = ["key", "ticket__number"]
    fields = ["ticket_link", "kind", "status", "key", "location", "carrier", "district",
              "category", "shipments_count", "tickets_count", "notified_count", "baseline",
              "compensation", "support_list", "opened_at", "last_seen_at",
              "resolution_proposed_at", "closed_at"]
    readonly_fields = [f for f in fields if f != "compensation"]
    inlines = [IncidentShipmentInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj):
        url = reverse("admin:tickets_ticket_change", args=[obj.ticket_id])
        return format_html('<a href="{}">{}</a>', url, obj.ticket.number)

    @admin.display(description=_("support suggestion"))
    def support_list(self, obj):
        return format_html_join(
            "", "<div>{} {}（{} km，余量 {}）</div>",
            ((s["name"], s["code"], s["distance_km"], s["spare_capacity"])
             for s in obj.support or []))


@admin.register(DetectionRun)
class DetectionRunAdmin(admin.ModelAdmin):
    list_display = ["at", "clusters", "spikes", "created", "seconds", "finished_at"]

    def has_add_permission(self, request):
        return False


class AlertEpisodeInline(admin.TabularInline):
    model = AlertEpisode
    readonly_fields = ["started_at", "ended_at", "peak"]
    extra = 0
    can_delete = False


@admin.register(BacklogAlertRule)
class BacklogAlertRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "priorities", "threshold", "channel", "active"]
    inlines = [AlertEpisodeInline]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "period_start", "period_end", "created_at", "open_link"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "period_start", "period_end", "directory", "file_links",
                       "summary", "created_at"]
    exclude = ["files"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("report"))
    def open_link(self, obj):
        url = reverse("analytics-report-file", args=[obj.pk, "report.html"])
        return format_html('<a href="{}" target="_blank">report.html</a>', url)

    @admin.display(description=_("files"))
    def file_links(self, obj):
        return format_html_join(" · ", '<a href="{}" target="_blank">{}</a>', (
            (reverse("analytics-report-file", args=[obj.pk, name]), name)
            for name in obj.files))
