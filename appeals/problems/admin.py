from django.contrib import admin

from .models import Moderation, PublicProblem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PublicProblem)
class PublicProblemAdmin(ReadOnlyAdmin):
    """The public projection is rebuilt from the appeal; it is read here, never edited."""

    list_display = ("appeal_id", "subject", "state", "category", "cabinet", "received_at")
    list_display += ("support_count", "comment_count", "follower_count")
    list_filter = ("state", "category", "cabinet", "territory")
    search_fields = ("subject", "number")
    date_hierarchy = "received_at"
    list_select_related = ("category", "cabinet")
    show_full_result_count = False
    exclude = ("author",)


@admin.register(Moderation)
class ModerationAdmin(ReadOnlyAdmin):
    list_display = ("at", "appeal", "action", "actor", "note")
    list_filter = ("action",)
    search_fields = ("appeal__number", "note", "passage")
    list_select_related = ("appeal", "actor")
