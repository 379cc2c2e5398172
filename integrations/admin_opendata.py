from django.contrib import admin
from django.utils.translation import gettext_lazy

from .admin_shown_once import ShownOnceAdmin
from .models import Open311Client, OpenDataFile


@admin.register(Open311Client)
class Open311ClientAdmin(ShownOnceAdmin):
    shown_once_title = gettext_lazy("New Open311 keys")
    shown_once_label = "api_key"
    shown_once_note = gettext_lazy(
        "Copy each api_key now: it is shown only on this page, once, and only its hash is kept."
    )

    list_display = (
        "name",
        "cabinet",
        "identifies_citizens",
        "is_active",
        "key_prefix",
        "created_at",
        "last_used_at",
    )
    list_filter = ("is_active", "identifies_citizens")
    search_fields = ("name",)
    fields = ("name", "cabinet", "identifies_citizens", "is_active", "key_prefix", "last_used_at")
    readonly_fields = ("key_prefix", "last_used_at")
    actions = ("issue_new_key",)

    def issue(self, obj):
        return obj.new_key()

    @admin.action(description=gettext_lazy("Issue a new key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        keys = []
        for client in queryset:
            keys.append((client, client.new_key()))
            client.save(update_fields=["key_prefix", "key_hash"])
        return self.shown_once(request, keys)


@admin.register(OpenDataFile)
class OpenDataFileAdmin(admin.ModelAdmin):
    list_display = ("dataset", "format", "rows", "size", "generated_at")
    readonly_fields = ("dataset", "format", "path", "size", "rows", "generated_at")

    def has_add_permission(self, request):
        return False
