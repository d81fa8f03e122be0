"""Ops screens for tracking data. Changes go through logistics.actions; keys are never shown
(they live in the environment): a source only says whether its key is configured."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.masking import mask_phone
from logistics import actions
from logistics.actions.derive import clear_caches
from logistics.actions.ingest import source_key_configured
from logistics.actions.sources import credentials
from logistics.adapters import UnknownSource, get_source
from logistics.models import (
    DeadLetter,
    LaneStat,
    RawPayload,
    Shipment,
    StallThreshold,
    TrackingEvent,
    TrackingSource,
)


@admin.register(TrackingSource)
class TrackingSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active", "push_key_configured", "polling_credentials",
                    "polling_enabled", "poll_interval_minutes", "min_requery_minutes",
                    "max_requests_per_second"]
    list_editable = ["active", "polling_enabled", "poll_interval_minutes",
                     "min_requery_minutes", "max_requests_per_second"]
    readonly_fields = ["code", "push_key_configured", "polling_credentials"]

    def has_add_permission(self, request):
        return False  # one row per adapter, installed by migration

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("push key configured"))
    def push_key_configured(self, source):
        try:
            return source_key_configured(get_source(source.code))
        except UnknownSource:
            return False

    @admin.display(boolean=True, description=_("polling credentials configured"))
    def polling_credentials(self, source):
        return credentials(source.code) is not None


class EventInline(admin.TabularInline):
    model = TrackingEvent
    fields = ["time", "status", "location", "description", "exception_reason", "source",
              "created_at"]
    readonly_fields = fields
    ordering = ["time", "id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.action(description=_("Poll now"))
def poll_selected(modeladmin, request, queryset):
    count = actions.do_request_polls(list(queryset.values_list("pk", flat=True)))
    modeladmin.message_user(request, ngettext("%(count)d shipment queued for polling.",
                                              "%(count)d shipments queued for polling.", count)
                            % {"count": count}, messages.SUCCESS)


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["tracking_number", "carrier", "status", "last_event_at", "last_location",
                    "stalled", "stall_reason", "eta", "masked_recipient", "subscription"]
    list_filter = ["status", "carrier", "stalled", "stall_reason", "subscription", "source"]
    search_fields = ["tracking_number", "=recipient_phone", "=sender_phone", "last_location"]
    date_hierarchy = "last_event_at"
    inlines = [EventInline]
    actions = [poll_selected]
    exclude = ["sender_phone", "recipient_phone"]
    readonly_fields = [f.name for f in Shipment._meta.fields
                       if f.name not in ("id", "sender_phone", "recipient_phone")] + [
        "masked_sender", "masked_recipient"]

    def has_add_permission(self, request):
        return False  # registered through the API, or created by tracking data

    @admin.display(description=_("recipient phone"))
    def masked_recipient(self, shipment):
        return mask_phone(shipment.recipient_phone) or "-"

    @admin.display(description=_("sender phone"))
    def masked_sender(self, shipment):
        return mask_phone(shipment.sender_phone) or "-"


@admin.action(description=_("Process again"))
def reprocess_selected(modeladmin, request, queryset):
    done = 0
    for payload in queryset:
        result = actions.check_reprocess_payload(payload_id=payload.pk, acting_user=request.user)
        if result.ok:
            done += 1
        else:
            modeladmin.message_user(request, f"#{payload.pk}: {result.error_code}",
                                    messages.WARNING)
    if done:
        modeladmin.message_user(request, _("%(count)d payloads processed.") % {"count": done},
                                messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RawPayload)
class RawPayloadAdmin(ReadOnlyAdmin):
    list_display = ["id", "received_at", "source", "channel", "status", "kind",
                    "events_stored", "error_code"]
    list_filter = ["status", "source", "channel", "kind"]
    search_fields = ["sha256", "numbers"]
    date_hierarchy = "received_at"
    actions = [reprocess_selected]
    fields = ["source", "channel", "received_at", "status", "kind", "numbers", "events_stored",
              "error_code", "processed_at", "sha256", "headers", "body_text"]
    readonly_fields = fields

    @admin.display(description=_("body"))
    def body_text(self, payload):
        text = payload.text
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>",
                           text[:20000] + ("…" if len(text) > 20000 else ""))


@admin.action(description=_("Replay"))
def replay_selected(modeladmin, request, queryset):
    done = 0
    for letter in queryset:
        try:
            result = actions.check_replay_dead_letter(dead_letter_id=letter.pk,
                                                      acting_user=request.user)
        except actions.LogisticsError as exc:
            modeladmin.message_user(request, f"#{letter.pk}: {exc.detail}", messages.WARNING)
            continue
        if result.ok:
            done += 1
        else:
            modeladmin.message_user(request, f"#{letter.pk}: {result.error_code} "
                                             f"{result.error}", messages.WARNING)
    if done:
        modeladmin.message_user(request, ngettext("%(count)d dead letter replayed.",
                                                  "%(count)d dead letters replayed.", done)
                                % {"count": done}, messages.SUCCESS)


@admin.action(description=_("Discard"))
def discard_selected(modeladmin, request, queryset):
    count = actions.do_discard_dead_letters(queryset, acting_user=request.user)
    modeladmin.message_user(request, _("%(count)d dead letters discarded.") % {"count": count},
                            messages.SUCCESS)


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "source", "code", "status", "attempts", "replayed_at",
                    "payload"]
    list_filter = ["status", "source", "code"]
    list_select_related = ["payload"]
    actions = [replay_selected, discard_selected]
    fields = ["source", "code", "error", "status", "attempts", "created_at", "replayed_at",
              "payload"]
    readonly_fields = fields


@admin.register(StallThreshold)
class StallThresholdAdmin(admin.ModelAdmin):
    list_display = ["status", "hours", "active"]
    list_editable = ["hours", "active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        clear_caches()


@admin.register(LaneStat)
class LaneStatAdmin(ReadOnlyAdmin):
    list_display = ["carrier", "origin", "destination", "stage", "remaining_hours",
                    "dwell_hours", "samples", "updated_at"]
    list_filter = ["stage", "carrier"]
    search_fields = ["origin", "destination"]
