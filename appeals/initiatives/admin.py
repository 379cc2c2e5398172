from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Initiative, InitiativeEvent, Update


class UpdateInline(admin.TabularInline):
    model = Update
    extra = 0
    fields = ("created_at", "text")
    readonly_fields = ("created_at", "text")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = InitiativeEvent
    extra = 0
    fields = ("at", "actor", "action", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    """Moderation: an initiative that breaks the rules is hidden with a reason (the action
    asks for it in the "reason for hiding" field of the record, or uses a standard one)."""

    list_display = ("title", "status", "territory", "category", "member_count", "created_at")
    list_filter = ("status", "territory", "category")
    search_fields = ("title", "summary", "initiator__email")
    readonly_fields = (
        "title",
        "summary",
        "initiator",
        "status",
        "member_count",
        "created_at",
        "closed_at",
    )
    fields = (*readonly_fields, "category", "territory", "moderation_reason")
    inlines = (UpdateInline, EventInline)
    actions = ("hide_selected", "restore_selected")

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Hide the selected initiatives (breach of the rules)"))
    def hide_selected(self, request, queryset):
        done = 0
        for initiative in queryset:
            reason = initiative.moderation_reason or str(_("Breach of the portal's rules"))
            services.hide(initiative=initiative, actor=request.user, reason=reason)
            done += 1
        self.message_user(
            request,
            ngettext("%(n)d initiative hidden.", "%(n)d initiatives hidden.", done) % {"n": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Show the selected initiatives again"))
    def restore_selected(self, request, queryset):
        for initiative in queryset:
            services.restore(initiative=initiative, actor=request.user)
        self.message_user(request, _("Done."), messages.SUCCESS)
