"""Ops screens. Tickets are read here and changed only through admin actions that call
tickets.actions; the audit trail is read-only."""

from django.contrib import admin, messages
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.errors import DomainError
from config.masking import mask_phone
from tickets import actions
from tickets.models import (
    BusinessCalendar,
    Category,
    CsatSurvey,
    Customer,
    ForbiddenPhrase,
    Notification,
    QualityFinding,
    ReviewScorecard,
    SamplingPolicy,
    SlaPolicy,
    TemplateField,
    Ticket,
    TicketAttachment,
    TicketComment,
    TicketEvent,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "kind", "actor", "from_status", "to_status", "note", "data"]
    readonly_fields = fields
    ordering = ["created_at", "id"]


class CommentInline(ReadOnlyInline):
    model = TicketComment
    fields = ["created_at", "author", "visibility", "body"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = TicketAttachment
    fields = ["created_at", "original_name", "content_type", "size", "file"]
    readonly_fields = fields


def _run_for_each(modeladmin, request, queryset, call, done_message):
    done = 0
    for ticket in queryset:
        try:
            call(ticket)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{ticket.number}: {exc.detail}", messages.WARNING)
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


@admin.action(description=_("Approve and close (reviewer)"))
def approve_selected(modeladmin, request, queryset):
    _run_for_each(modeladmin, request, queryset,
                  lambda t: actions.check_approve_review(user=request.user, ticket_id=t.pk,
                                                         note=str(_("Approved in admin"))),
                  _("%(count)d tickets approved."))


@admin.action(description=_("Release to queue"))
def release_selected(modeladmin, request, queryset):
    _run_for_each(modeladmin, request, queryset,
                  lambda t: actions.check_release_ticket(user=request.user, ticket_id=t.pk,
                                                         reason=str(_("Released in admin"))),
                  _("%(count)d tickets released."))


@admin.action(description=_("Reopen (二次投诉)"))
def reopen_selected(modeladmin, request, queryset):
    _run_for_each(modeladmin, request, queryset,
                  lambda t: actions.check_reopen_ticket(user=request.user, ticket_id=t.pk,
                                                        reason=str(_("Reopened in admin"))),
                  _("%(count)d tickets reopened."))


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "status", "priority", "category", "owner", "queue",
                    "response_due", "resolve_due", "is_breached", "created_at"]
    list_filter = ["status", "priority", "category", "queue", "channel", "impact", "escalated"]
    search_fields = ["number", "title", "waybill_rows__number", "customer__phone"]
    list_select_related = ["category", "owner", "queue"]
    date_hierarchy = "created_at"
    actions = [approve_selected, release_selected, reopen_selected]
    inlines = [CommentInline, AttachmentInline, EventInline]
    readonly_fields = [f.name for f in Ticket._meta.fields if f.name != "customer"] + [
        "masked_customer"]
    exclude = ["customer"]

    def has_add_permission(self, request):
        return False  # tickets are created through the API, the console and the chatbot

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description=_("breached"))
    def is_breached(self, ticket):
        return ticket.breached

    @admin.display(description=_("customer"))
    def masked_customer(self, ticket):
        return str(ticket.customer) if ticket.customer else "-"


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ticket", "kind", "actor", "from_status", "to_status"]
    list_filter = ["kind"]
    search_fields = ["ticket__number"]
    list_select_related = ["ticket", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TemplateFieldInline(admin.TabularInline):
    model = TemplateField
    extra = 0
    fields = ["sort_order", "code", "label", "kind", "required", "choices", "prompt",
              "help_text"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "default_priority", "active", "sort_order",
                    "requires_kb_reference"]
    list_editable = ["default_priority", "active", "sort_order"]
    search_fields = ["code", "name"]
    inlines = [TemplateFieldInline]  # the ticket template (场景化模板), issue #10


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "priority", "category", "response_minutes", "resolve_minutes",
                    "active"]
    list_editable = ["response_minutes", "resolve_minutes", "active"]
    list_filter = ["priority", "active"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "masked_phone", "tags", "created_at"]
    search_fields = ["phone", "name"]
    exclude = ["user"]

    @admin.display(description=_("phone"))
    def masked_phone(self, customer):
        return mask_phone(customer.phone)


@admin.register(CsatSurvey)
class CsatSurveyAdmin(admin.ModelAdmin):
    list_display = ["ticket", "score", "comment", "created_at", "answered_at"]
    list_filter = ["score"]
    search_fields = ["ticket__number"]
    readonly_fields = ["ticket", "score", "comment", "created_at", "answered_at"]

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        summary = CsatSurvey.objects.aggregate(
            average=Avg("score"), answered=Count("score"), sent=Count("id"))
        if summary["sent"]:
            self.message_user(request, _("Average %(avg)s over %(answered)d answers of %(sent)d "
                                         "surveys sent.") % {
                "avg": f"{summary['average']:.2f}" if summary["average"] else "-",
                "answered": summary["answered"], "sent": summary["sent"]}, messages.INFO)
        return super().changelist_view(request, extra_context)


@admin.action(description=_("Send again"))
def retry_notifications(modeladmin, request, queryset):
    count = actions.do_retry_notifications(queryset)
    modeladmin.message_user(request, ngettext("%(count)d message queued again.",
                                              "%(count)d messages queued again.", count)
                            % {"count": count}, messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "masked_recipient", "subject", "status",
                    "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["ticket__number", "subject"]
    actions = [retry_notifications]
    readonly_fields = ["channel", "masked_recipient", "subject", "body", "payload", "ticket",
                       "dedupe_key", "status", "attempts", "last_error", "next_attempt_at",
                       "created_at", "sent_at"]
    exclude = ["recipient"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("recipient"))
    def masked_recipient(self, notification):
        recipient = notification.recipient
        return mask_phone(recipient) if recipient.isdigit() else recipient


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "always_open", "cn_holidays", "time_zone"]
    filter_horizontal = ["queues"]


# --- quality review (issue #10; tickets/quality/README.md) ---
@admin.register(SamplingPolicy)
class SamplingPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "rate", "active", "order", "categories", "priorities",
                    "new_agent_tickets", "new_agent_days", "reopened", "agent_csat_below"]
    list_editable = ["rate", "active", "order"]
    filter_horizontal = ["agents"]


@admin.register(ForbiddenPhrase)
class ForbiddenPhraseAdmin(admin.ModelAdmin):
    list_display = ["phrase", "active", "note"]
    list_editable = ["active"]
    search_fields = ["phrase"]


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QualityFinding)
class QualityFindingAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "ticket", "agent", "kind", "source", "round", "excerpt"]
    list_filter = ["kind", "source", "agent"]
    search_fields = ["ticket__number", "agent__username"]
    list_select_related = ["ticket", "agent"]

    def changelist_view(self, request, extra_context=None):
        counts = (QualityFinding.objects.values("agent__username").annotate(n=Count("id"))
                  .order_by("-n")[:10])
        if counts:
            self.message_user(request, _("Findings per agent: %(counts)s") % {"counts": "，".join(
                f"{row['agent__username'] or '-'} {row['n']}" for row in counts)}, messages.INFO)
        return super().changelist_view(request, extra_context)


@admin.register(ReviewScorecard)
class ReviewScorecardAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "ticket", "agent", "reviewer", "verdict", "accuracy",
                    "attitude", "process", "timeliness", "failed_items"]
    list_filter = ["verdict", "agent", "reviewer"]
    search_fields = ["ticket__number"]
    list_select_related = ["ticket", "agent", "reviewer"]
