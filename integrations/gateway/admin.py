"""The gateway in the admin: the letters sent (read-only) and the messages read."""

from django.contrib import admin

from ..models import GatewayLetter, InboundMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GatewayLetter)
class GatewayLetterAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "appeal", "body", "kind", "notification")
    list_filter = ("kind", "body")
    search_fields = ("appeal__number", "body__name")
    list_select_related = ("appeal", "body", "notification")


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "sender", "subject", "outcome", "moved_at")
    list_filter = ("outcome",)
    search_fields = ("sender", "subject", "message_id")
