"""Ops screens: queues, skills, agents and the skill-matrix grid, rules, decisions."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from routing import actions
from routing.models import (
    AgentPerformance,
    AgentProfile,
    AgentSkill,
    Queue,
    RoutingAlert,
    RoutingDecision,
    RoutingRule,
    Skill,
)


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_default", "strategy", "wait_alert_minutes",
                    "escalation_policy"]
    list_editable = ["strategy", "wait_alert_minutes", "escalation_policy"]
    filter_horizontal = ["members"]
    search_fields = ["code", "name"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "match"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "match"]


class AgentSkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 0
    autocomplete_fields = ["skill"]


class SkillMatrixForm(forms.Form):
    """One field per (agent, skill) cell, named cell_<profile id>_<skill id>, 0–5."""

    def __init__(self, *args, profiles, skills, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.profiles, self.skills = profiles, skills
        for profile in profiles:
            for skill in skills:
                self.fields[f"cell_{profile.pk}_{skill.pk}"] = forms.IntegerField(
                    min_value=0, max_value=5, initial=levels.get((profile.pk, skill.pk), 0),
                    required=False, widget=forms.NumberInput(attrs={"style": "width:3em"}))

    def rows(self):
        for profile in self.profiles:
            yield profile, [self[f"cell_{profile.pk}_{skill.pk}"] for skill in self.skills]

    def changes(self) -> dict[tuple[int, int], int]:
        out = {}
        for name in self.changed_data:
            _cell, profile_id, skill_id = name.split("_")
            out[int(profile_id), int(skill_id)] = self.cleaned_data[name] or 0
        return out


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "status", "capacity", "status_changed_at",
                    "last_online_at"]
    list_filter = ["status", "team"]
    list_editable = ["capacity"]
    search_fields = ["user__username", "user__first_name", "team"]
    list_select_related = ["user"]
    inlines = [AgentSkillInline]
    readonly_fields = ["status_changed_at", "last_online_at", "last_assigned_at"]
    change_list_template = "admin/routing/agentprofile/change_list.html"

    def get_urls(self):
        return [path("skill-matrix/", self.admin_site.admin_view(self.skill_matrix_view),
                     name="routing_skill_matrix"), *super().get_urls()]

    def skill_matrix_view(self, request):
        """The matrix as a grid: agents × skills; changed cells saved in one transaction."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        profiles = list(AgentProfile.objects.select_related("user").order_by("user__username"))
        skills = list(Skill.objects.order_by("kind", "code"))
        levels = {(p, s): v for p, s, v in AgentSkill.objects.values_list(
            "profile_id", "skill_id", "proficiency")}
        form = SkillMatrixForm(request.POST or None, profiles=profiles, skills=skills,
                               levels=levels)
        if request.method == "POST" and form.is_valid():
            count = actions.do_save_skill_matrix(form.changes(), acting_user=request.user)
            self.message_user(request, _("%(count)d cells saved.") % {"count": count},
                              messages.SUCCESS)
            return redirect(reverse("admin:routing_skill_matrix"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Skill matrix"), "form": form, "skills": skills}
        return TemplateResponse(request, "admin/routing/skill_matrix.html", context)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "active", "queue", "priority_override", "conditions"]
    list_display_links = ["name"]
    list_editable = ["order", "active"]
    list_filter = ["active", "queue"]
    filter_horizontal = ["required_skills"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "order", "active"]}),
        (_("Conditions (all given must hold; a list matches any of its values)"),
         {"fields": ["categories", "priorities", "regions", "channels", "customer_tags",
                     "carriers", "keywords"]}),
        (_("Then"), {"fields": ["queue", "required_skills", "priority_override",
                                "add_tags"]}),
    ]

    @admin.display(description=_("conditions"))
    def conditions(self, rule):
        parts = {f: getattr(rule, f) for f in ("categories", "priorities", "regions",
                                               "channels", "customer_tags", "carriers",
                                               "keywords") if getattr(rule, f)}
        return json.dumps(parts, ensure_ascii=False) if parts else _("(catch-all)")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ticket", "trigger", "queue", "strategy", "winner",
                    "rule_name", "reason"]
    list_filter = ["trigger", "strategy", "queue"]
    search_fields = ["ticket__number"]
    list_select_related = ["ticket", "queue", "winner"]
    fields = ["created_at", "ticket", "trigger", "rule_name", "queue", "strategy", "winner",
              "reason", "candidate_table"]
    readonly_fields = fields

    @admin.display(description=_("candidates"))
    def candidate_table(self, decision):
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td></tr>",
            ((c.get("username"), c.get("score"), c.get("proficiency"), c.get("load"),
              c.get("capacity"), c.get("performance"),
              json.dumps(c.get("skills"), ensure_ascii=False),
              "✓" if c.get("eligible") else "—") for c in decision.candidates))
        header = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
                             "<th>{}</th><th>{}</th></tr>", _("agent"), _("score"),
                             _("proficiency"), _("load"), _("performance"), _("skills"),
                             _("eligible"))
        return format_html("<table>{}{}</table>", header, rows) if decision.candidates else "-"


@admin.register(AgentPerformance)
class AgentPerformanceAdmin(ReadOnlyAdmin):
    list_display = ["user", "category", "handled", "resolution_rate", "avg_handle_minutes",
                    "csat", "score", "updated_at"]
    list_filter = ["category"]
    list_select_related = ["user", "category"]


@admin.register(RoutingAlert)
class RoutingAlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ticket", "kind", "round", "action"]
    list_filter = ["kind", "action"]
