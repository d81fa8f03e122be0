from django.contrib import admin

from chatbot.models import Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ["created_at", "sender", "text", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "status", "ticket", "updated_at"]
    list_filter = ["status"]
    search_fields = ["ticket__number"]
    readonly_fields = ["customer", "status", "state", "ticket", "created_at", "updated_at"]
    inlines = [MessageInline]

    def has_add_permission(self, request):
        return False
