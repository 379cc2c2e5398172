from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from edem.core.markup import render_markdown

from .models import (
    Ballot,
    BudgetCategory,
    BudgetCycle,
    BudgetEvent,
    CostLine,
    ImplementationUpdate,
    Project,
    ReviewQueue,
    Vote,
)
from .workflow import ProjectStatus


class ReadOnlyMixin:
    """History and votes: visible, never changed or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CategoryInline(TranslationTabularInline):
    model = BudgetCategory
    extra = 0
    fields = ["name", "description", "fund", "max_project_cost", "position"]


@admin.register(BudgetCycle)
class BudgetCycleAdmin(TranslationAdmin):
    list_display = [
        "title",
        "year",
        "cabinet",
        "territory",
        "status",
        "total_fund",
        "currency",
        "votes_per_voter",
        "voting_start",
        "voting_end",
    ]
    list_filter = ["status", "year", "cabinet", "territory"]
    search_fields = ["title", "description"]
    readonly_fields = [
        "status",
        "status_changed_at",
        "parameters_approved_at",
        "lots_drawn_at",
        "results_published_at",
    ]
    inlines = [CategoryInline]
    date_hierarchy = "submission_start"

    def save_model(self, request, obj, form, change):
        obj.render_description()
        super().save_model(request, obj, form, change)


class CostLineInline(admin.TabularInline):
    model = CostLine
    extra = 0
    fields = ["description", "quantity", "unit_price"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "number",
        "cycle",
        "category",
        "status",
        "cost",
        "approved_cost",
        "final_votes",
        "implementation_status",
        "submitted_at",
    ]
    list_filter = ["status", "implementation_status", "cycle", "category"]
    search_fields = ["title", "description", "address", "author__email", "author__last_name"]
    raw_id_fields = ["author", "reviewed_by"]
    readonly_fields = [
        "cost",
        "number",
        "final_votes",
        "rank",
        "reviewed_at",
        "reviewed_by",
        "appealed_at",
        "submitted_at",
    ]
    inlines = [CostLineInline]
    date_hierarchy = "submitted_at"

    def save_model(self, request, obj, form, change):
        obj.render_description()
        super().save_model(request, obj, form, change)


@admin.register(ReviewQueue)
class ReviewQueueAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "cycle", "category", "status", "cost", "submitted_at", "appealed_at"]
    list_filter = ["status", "cycle", "category"]
    search_fields = ["title", "description"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status__in=[ProjectStatus.SUBMITTED, ProjectStatus.APPEALED])
            .order_by("submitted_at")
        )

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("budgets.view_project")


@admin.register(Vote)
class VoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["project", "channel", "created_at", "entered_by"]
    list_filter = ["channel", "project__cycle"]
    search_fields = ["project__title"]
    date_hierarchy = "created_at"


@admin.register(Ballot)
class BallotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["cycle", "voter_key", "user", "created_at", "locked_at"]
    list_filter = ["cycle"]
    search_fields = ["user__email"]


@admin.register(ImplementationUpdate)
class ImplementationUpdateAdmin(admin.ModelAdmin):
    list_display = ["project", "status", "happened_on", "author"]
    list_filter = ["status", "project__cycle"]
    search_fields = ["project__title", "text"]
    raw_id_fields = ["project", "author"]

    def save_model(self, request, obj, form, change):
        obj.text_html = render_markdown(obj.text)
        super().save_model(request, obj, form, change)


@admin.register(BudgetEvent)
class BudgetEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "cycle", "project", "action", "from_status", "to_status", "actor"]
    list_filter = ["action", "cycle"]
    search_fields = ["note", "project__title"]
    date_hierarchy = "at"
