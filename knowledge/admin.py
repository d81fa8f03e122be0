"""Ops and supervisors edit articles and macros here; saving goes through knowledge.actions
(versions, rendering, search tokens, the search revision)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from knowledge import actions as kb_actions
from knowledge.models import Article, KbCategory, Macro, TicketDigest


@admin.register(KbCategory)
class KbCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "audience", "status", "version", "views",
                    "used_in_replies", "bot_answers", "helpful_yes", "helpful_no", "updated_at")
    list_filter = ("audience", "status", "category")
    search_fields = ("title", "slug", "body")
    readonly_fields = ("version", "views", "used_in_replies", "bot_answers", "helpful_yes",
                       "helpful_no", "created_by", "updated_by", "created_at", "updated_at",
                       "history")
    fields = ("slug", "title", "summary", "body", "category", "audience", "keywords",
              "synonyms", "status", *readonly_fields)

    @admin.display(description=_("versions"))
    def history(self, obj):
        """Who changed what, newest first (read-only: versions are written by the action)."""
        if obj is None or obj.pk is None:
            return "-"
        rows = format_html_join(
            "", "<tr><td>v{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((v.version, v.get_status_display(), ", ".join(v.changes),
              v.changed_by or "-", localtime(v.changed_at).strftime("%Y-%m-%d %H:%M"))
             for v in obj.versions.select_related("changed_by")[:50]))
        return format_html("<table>{}</table>", rows)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and kb_actions.may_edit(request.user)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and kb_actions.may_edit(request.user)

    def save_model(self, request, obj, form, change):
        if not kb_actions.may_edit(request.user):
            raise PermissionDenied
        fields = {name: form.cleaned_data[name] for name in kb_actions.ARTICLE_FIELDS
                  if name in form.cleaned_data}
        fields["category"] = fields["category"].code
        article = (obj if not change
                   else Article.objects.select_for_update().get(pk=obj.pk))
        if not change:
            article.version, article.created_by = 0, request.user
        else:
            article.refresh_from_db()
        saved = kb_actions.do_save_article(article, acting_user=request.user, **fields)
        obj.pk, obj.version = saved.pk, saved.version

    actions = ["publish", "archive"]

    @admin.action(description=_("Publish selected articles"))
    def publish(self, request, queryset):
        for article in queryset:
            kb_actions.check_save_article(user=request.user, article_id=article.pk,
                                       status="published")

    @admin.action(description=_("Archive selected articles"))
    def archive(self, request, queryset):
        for article in queryset:
            kb_actions.check_save_article(user=request.user, article_id=article.pk,
                                       status="archived")


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "set_priority", "submit_review", "active", "uses")
    list_filter = ("active",)
    search_fields = ("name", "code", "body")
    readonly_fields = ("uses", "created_by", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)  # ModelForm ran Macro.clean()


@admin.register(TicketDigest)
class TicketDigestAdmin(admin.ModelAdmin):
    list_display = ("number", "category_code", "closed_at")
    search_fields = ("number",)
    readonly_fields = ("ticket_id", "number", "title", "category_code", "closed_at", "tokens",
                       "resolution")

    def has_add_permission(self, request):
        return False
