"""Ops screens for stations: stations with their people, tasks (read-mostly), address checks,
and a CSV bulk import that shows its progress while it runs."""

import csv
import io

from django import forms
from django.contrib import admin, messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from stations import actions
from stations.models import AddressCheck, Station, StationMember, StationTask


class MemberInline(admin.TabularInline):
    model = StationMember
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "phone"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_l("CSV file"),
                           help_text=_l("UTF-8, header: %(cols)s")
                           % {"cols": ", ".join(actions.IMPORT_COLUMNS)})


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "carrier", "province", "city", "district", "capacity",
                    "manager", "active"]
    list_filter = ["carrier", "province", "active"]
    search_fields = ["code", "name", "city", "district", "address"]
    inlines = [MemberInline]
    autocomplete_fields = ["manager"]
    change_list_template = "admin/stations/station/change_list.html"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view),
                     name="stations_station_import"), *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request):
            messages.error(request, _("You may not add stations."))
            return redirect("admin:stations_station_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            raw = form.cleaned_data["file"].read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8."))
            else:
                reader = csv.DictReader(io.StringIO(text))
                missing = {"code", "name"} - set(reader.fieldnames or ())
                if missing:
                    form.add_error("file", _("Missing columns: %(cols)s")
                                   % {"cols": ", ".join(sorted(missing))})
                else:
                    rows = list(reader)
                    return StreamingHttpResponse(self._progress(rows),
                                                 content_type="text/html; charset=utf-8")
        return render(request, "admin/stations/station/import.html", {
            **self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
            "title": _("Import stations from CSV")})

    def _progress(self, rows):
        """A page that fills in as chunks commit: a progress bar, then the summary."""
        total = len(rows)
        yield (f'<!doctype html><meta charset="utf-8"><title>{escape(_("Importing"))}</title>'
               f'<body style="font-family:sans-serif;max-width:640px;margin:2em auto">'
               f'<h1>{escape(_("Import stations from CSV"))}</h1>'
               f'<progress id="p" max="{total}" value="0" style="width:100%"></progress>'
               f'<p id="t">0 / {total}</p>' + " " * 1024)  # browsers render after ~1 KiB
        result = (0, 0, 0, [])
        for result in actions.import_stations(rows):
            done = result[0]
            yield (f'<script>document.getElementById("p").value={done};'
                   f'document.getElementById("t").textContent="{done} / {total}";</script>\n')
        done, created, updated, errors = result
        yield "<p>" + escape(_("Done: %(created)d created, %(updated)d updated, %(errors)d "
                               "rows with errors.") % {"created": created, "updated": updated,
                                                       "errors": len(errors)}) + "</p>"
        if errors:
            yield "<ul>" + "".join(f"<li>{escape(_('line'))} {line}: {escape(msg)}</li>"
                                   for line, msg in errors) + "</ul>"
        yield (f'<p><a href="{reverse("admin:stations_station_changelist")}">'
               f'{escape(_("Back to the stations"))}</a></p></body>')


@admin.register(StationMember)
class StationMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "station", "role"]
    list_filter = ["role", "station"]
    search_fields = ["user__username", "station__code", "station__name"]
    autocomplete_fields = ["user", "station"]

    def save_model(self, request, obj, form, change):
        # Through the action: the Django group follows the role.
        actions.do_set_membership(obj.user, station=obj.station, role=obj.role, phone=obj.phone)


@admin.register(StationTask)
class StationTaskAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "station", "ticket", "status", "due_at", "result",
                    "escalated_at"]
    list_filter = ["status", "kind", "station"]
    search_fields = ["ticket__number", "tracking_number"]
    readonly_fields = [f.name for f in StationTask._meta.fields]

    def has_add_permission(self, request):
        return False  # tasks come from tickets (agents, the chatbot, couriers)


@admin.register(AddressCheck)
class AddressCheckAdmin(admin.ModelAdmin):
    list_display = ["tracking_number", "reason", "status", "answer", "due_at", "created_at"]
    list_filter = ["status", "reason"]
    search_fields = ["tracking_number"]
    exclude = ["token"]
    readonly_fields = ["task", "tracking_number", "recipient_phone", "reason", "note", "status",
                       "answer", "new_address", "new_time", "answered_at", "due_at",
                       "created_at"]

    def has_add_permission(self, request):
        return False
