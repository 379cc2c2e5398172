from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import (
    AreaSubscription,
    Comment,
    CommentReport,
    Follow,
    ModerationEntry,
    StillNotFixed,
    Support,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by residents through the portal: the administrator reads and filters."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Support)
class SupportAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "user", "created_at")
    list_filter = ("created_at",)
    search_fields = ("appeal__number", "appeal__subject", "user__email")
    list_select_related = ("appeal", "user")
    date_hierarchy = "created_at"


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "user", "reason", "created_at")
    list_filter = ("reason", "created_at")
    search_fields = ("appeal__number", "appeal__subject", "user__email")
    list_select_related = ("appeal", "user")


class ReportInline(admin.TabularInline):
    model = CommentReport
    extra = 0
    can_delete = False
    fields = ("user", "reason", "created_at", "resolved")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ModerationInline(admin.TabularInline):
    model = ModerationEntry
    extra = 0
    can_delete = False
    fields = ("at", "actor", "action", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReportedFilter(admin.SimpleListFilter):
    title = _("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("open", _("With open reports")), ("any", _("Reported at least once"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(reports__resolved=False).distinct()
        if self.value() == "any":
            return queryset.filter(reports__isnull=False).distinct()
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "appeal", "author", "is_official", "is_hidden", "created_at")
    list_filter = (ReportedFilter, "is_hidden", "is_official", "created_at")
    search_fields = ("text", "appeal__number", "appeal__subject", "author__email")
    list_select_related = ("appeal", "author")
    readonly_fields = (
        "appeal",
        "author",
        "text",
        "is_official",
        "created_at",
        "is_hidden",
        "hidden_reason",
        "hidden_by",
        "hidden_at",
    )
    fields = readonly_fields
    inlines = [ReportInline, ModerationInline]
    actions = ["hide_selected"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Hide the selected comments (as staff of the holding cabinet)"))
    def hide_selected(self, request, queryset):
        reason = str(_("Breaks the rules of the portal (hidden by the administrator)."))
        done = 0
        for comment in queryset.filter(is_hidden=False):
            try:
                services.hide_comment(comment=comment, actor=request.user, reason=reason)
                done += 1
            except services.CommunityRefused as exc:
                self.message_user(request, f"{comment.pk}: {exc}", messages.WARNING)
        self.message_user(
            request, ngettext("%(n)d comment hidden.", "%(n)d comments hidden.", done) % {"n": done}
        )


@admin.register(CommentReport)
class CommentReportAdmin(ReadOnlyAdmin):
    list_display = ("comment", "user", "reason", "resolved", "created_at")
    list_filter = ("resolved", "created_at")
    search_fields = ("reason", "comment__text", "user__email")
    list_select_related = ("comment", "user")


@admin.register(ModerationEntry)
class ModerationEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "comment", "reason")
    list_filter = ("action", "at")
    search_fields = ("reason", "actor__email")
    list_select_related = ("actor", "comment")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AreaSubscription)
class AreaSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "territory", "radius_m", "created_at", "last_sent_at")
    list_filter = ("territory", "categories")
    search_fields = ("user__email", "territory__name")
    list_select_related = ("user", "territory")
    autocomplete_fields = ("user", "territory", "categories")
    readonly_fields = ("created_at", "last_sent_at")


@admin.register(StillNotFixed)
class StillNotFixedAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "status", "created_at", "replied_at")
    list_filter = ("status", "created_at")
    search_fields = ("appeal__number", "appeal__subject", "text", "reply")
    list_select_related = ("appeal",)

    def has_delete_permission(self, request, obj=None):
        return False
