from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Open311Client, OpenDataFile


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
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

    def _show_key(self, request, obj, key):
        messages.warning(
            request,
            _(
                "The api_key of “%(name)s” is %(key)s — copy it now: it is shown only once and "
                "only its hash is kept."
            )
            % {"name": obj.name, "key": key},
        )

    def save_model(self, request, obj, form, change):
        key = None if change else obj.new_key()
        super().save_model(request, obj, form, change)
        if key:
            self._show_key(request, obj, key)

    @admin.action(description=gettext_lazy("Issue a new key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        for client in queryset:
            key = client.new_key()
            client.save(update_fields=["key_prefix", "key_hash"])
            self._show_key(request, client, key)


@admin.register(OpenDataFile)
class OpenDataFileAdmin(admin.ModelAdmin):
    list_display = ("dataset", "format", "rows", "size", "generated_at")
    readonly_fields = ("dataset", "format", "path", "size", "rows", "generated_at")

    def has_add_permission(self, request):
        return False
