from django.contrib import admin

from routing.models import Queue


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_default"]
    filter_horizontal = ["members"]
    search_fields = ["code", "name"]
