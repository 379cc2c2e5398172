from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import events
from .models import EventDelivery


@admin.register(EventDelivery)
class EventDeliveryAdmin(admin.ModelAdmin):
    """The event outbox, read-only: what was delivered to whom, what waits and why."""

    list_display = (
        "id",
        "created_at",
        "event_type",
        "subscriber",
        "status",
        "attempts",
        "next_attempt_at",
        "done_at",
    )
    list_filter = ("status", "subscriber", "event_type")
    search_fields = ("event_type", "subscriber", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in EventDelivery._meta.fields]
    actions = ["retry_failed"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry failed deliveries"), permissions=["view"])
    def retry_failed(self, request, queryset):
        count = events.retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", count)
            % {"n": count},
            messages.SUCCESS,
        )
