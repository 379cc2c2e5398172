"""Polls in the admin: lists with filters, the moderation queues (proposals, free texts), and
questions that become read-only once voting opened (R29). Ballots and history are read-only."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from edem.core.workflow import TransitionNotAllowed

from . import services
from .models import Answer, Ballot, Option, Poll, PollEvent, Question
from .workflow import EDITABLE_STATES, Status


class ModerationQueueFilter(admin.SimpleListFilter):
    title = _("moderation queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("proposals", _("Proposals awaiting moderation")),
            ("texts", _("Free texts awaiting moderation")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "proposals":
            return queryset.filter(status=Status.MODERATION)
        if self.value() == "texts":
            return queryset.filter(
                questions__answers__text_status=Answer.TextStatus.PENDING
            ).distinct()
        return queryset


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("order", "text", "kind", "required", "min_choices", "max_choices")
    show_change_link = True

    def _frozen(self, obj):
        return obj is not None and obj.status not in EDITABLE_STATES  # R29

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._frozen(obj) else ()

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class PollEventInline(admin.TabularInline):
    model = PollEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "action", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "cabinet",
        "initiator_kind",
        "status",
        "starts_at",
        "ends_at",
        "results_visibility",
    )
    list_filter = (
        ModerationQueueFilter,
        "status",
        "initiator_kind",
        "cabinet",
        "results_visibility",
    )
    search_fields = ("title", "description", "organisation_name")
    date_hierarchy = "starts_at"
    list_select_related = ("cabinet",)
    autocomplete_fields = ("cabinet", "initiator", "eligible_territory")
    inlines = [QuestionInline, PollEventInline]
    # Status changes go through the service cabinet (workflow, history, notifications).
    readonly_fields = (
        "status",
        "refusal_reason",
        "termination_reason",
        "termination_note",
        "closed_at",
        "results_published_at",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status not in EDITABLE_STATES:  # R29: frozen once active
            fields += [
                f.name
                for f in Poll._meta.fields
                if f.name not in fields and f.name not in ("id", "decision")
            ]
        return fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status in (Status.DRAFT, Status.REFUSED)


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ("order", "text")

    def _frozen(self, obj):
        return obj is not None and obj.poll.status not in EDITABLE_STATES

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._frozen(obj) else ()

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "poll", "kind", "order", "required")
    list_filter = ("kind", "poll__status")
    search_fields = ("text", "poll__title")
    list_select_related = ("poll",)
    inlines = [OptionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.poll.status not in EDITABLE_STATES:  # R29
            return [f.name for f in Question._meta.fields]
        return ("poll",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.poll.status in EDITABLE_STATES


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    """Read-only: ballots change only through voting (R30)."""

    list_display = ("pk", "poll", "territory", "created_at", "updated_at", "changes")
    list_filter = ("poll", "territory")
    date_hierarchy = "created_at"
    list_select_related = ("poll", "territory")
    exclude = ("voter", "voter_key")

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f not in self.exclude]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Answer)
class FreeTextAdmin(ReadOnlyAdmin):
    """The moderation queue of free-text answers (R31): approve or reject in bulk."""

    list_display = ("text", "question", "text_status", "moderated_by", "moderated_at")
    list_filter = ("text_status", "question__poll")
    search_fields = ("text", "question__poll__title")
    list_select_related = ("question", "moderated_by")
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(text_status="")

    def _moderate(self, request, queryset, approve):
        done = 0
        for answer in queryset:
            try:
                services.moderate_text(answer=answer, actor=request.user, approve=approve)
                done += 1
            except TransitionNotAllowed as exc:
                self.message_user(request, str(exc), messages.ERROR)
        self.message_user(request, _("Answers moderated: %(n)d.") % {"n": done})

    @admin.action(description=_("Approve the selected answers"))
    def approve(self, request, queryset):
        self._moderate(request, queryset, True)

    @admin.action(description=_("Reject the selected answers"))
    def reject(self, request, queryset):
        self._moderate(request, queryset, False)


@admin.register(PollEvent)
class PollEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "poll", "action", "from_status", "to_status", "actor")
    list_filter = ("action",)
    search_fields = ("poll__title", "note")
    date_hierarchy = "at"
    list_select_related = ("poll", "actor")

    def has_change_permission(self, request, obj=None):
        return False
