from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from edem.core.workflow import TransitionNotAllowed

from . import services
from .models import Comment, Decision, Discussion, DiscussionEvent, DraftVersion

# The discussion's text of the cabinet in each language: editable in the admin.
TRANSLATED = ("title", "summary")


class DraftVersionInline(admin.TabularInline):
    model = DraftVersion
    extra = 0
    can_delete = False
    fields = ("number", "source", "source_name", "note", "created_by", "created_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class DiscussionEventInline(admin.TabularInline):
    model = DiscussionEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "action", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Discussion)
class DiscussionAdmin(TranslationAdmin):
    """Discussions change through the service cabinet (the workflow and its history); here an
    administrator finds them, sees their versions and history, and the moderation queue
    (filter: status = on moderation), and may complete or correct the title and the summary in
    each language (their translations change nothing of the workflow)."""

    list_display = ("title", "cabinet", "status", "starts_at", "ends_at", "proposed_by_resident")
    list_filter = ("status", "proposed_by_resident", "cabinet", "territory")
    search_fields = ("title", "summary", "cabinet__name")
    date_hierarchy = "starts_at"
    list_select_related = ("cabinet",)
    inlines = [DraftVersionInline, DiscussionEventInline]

    def get_readonly_fields(self, request, obj=None):
        editable = {*TRANSLATED, *self.replace_orig_field(TRANSLATED)}
        return [f.name for f in self.model._meta.fields if f.name not in editable]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionInline(admin.StackedInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = ("outcome", "reason", "decided_by", "decided_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class UndecidedFilter(admin.SimpleListFilter):
    title = _("decision")
    parameter_name = "decided"

    def lookups(self, request, model_admin):
        return [("no", _("Without a decision")), ("yes", _("Decided"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(decision__isnull=True, is_hidden=False)
        if self.value() == "yes":
            return queryset.filter(decision__isnull=False)
        return queryset


@admin.action(description=_("Hide as advertising or spam"))
def hide_as_ads(modeladmin, request, queryset):
    done = 0
    for comment in queryset.filter(is_hidden=False).select_related("discussion"):
        try:
            services.hide_comment(
                comment=comment,
                actor=request.user,
                reason=Comment.HiddenReason.ADVERTISING,
                note="",
            )
            done += 1
        except TransitionNotAllowed as exc:
            modeladmin.message_user(request, f"#{comment.pk}: {exc}", messages.WARNING)
    modeladmin.message_user(
        request, ngettext("%(n)d comment hidden.", "%(n)d comments hidden.", done) % {"n": done}
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue of comments (R31): filter by hidden and by decision."""

    list_display = ("__str__", "discussion", "kind", "author", "created_at", "is_hidden")
    list_filter = ("is_hidden", "hidden_reason", "kind", UndecidedFilter, "discussion__status")
    search_fields = ("text", "author__email", "author__last_name", "discussion__title")
    date_hierarchy = "created_at"
    list_select_related = ("discussion", "author")
    inlines = [DecisionInline]
    actions = [hide_as_ads]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("comment", "outcome", "decided_by", "decided_at")
    list_filter = ("outcome", "comment__discussion__cabinet")
    search_fields = ("reason", "comment__text", "comment__discussion__title")
    list_select_related = ("comment", "decided_by")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
