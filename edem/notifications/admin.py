from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "email", "template", "language", "status", "attempts", "sent_at")
    list_filter = ("status", "language", "template")
    search_fields = ("email", "subject", "template", "key")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["requeue_failed"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Re-queue failed notifications"))
    def requeue_failed(self, request, queryset):
        count = services.requeue(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(n)d notification re-queued.", "%(n)d notifications re-queued.", count)
            % {"n": count},
            messages.SUCCESS,
        )
