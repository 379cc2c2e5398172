"""Polls in the admin: lists with filters, the moderation queues (proposals, free texts), and
questions that become read-only once voting opened (R29). Ballots and history are read-only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from edem.core.workflow import TransitionNotAllowed

from . import services
from .models import Answer, Ballot, Option, Poll, PollEvent, Question
from .validation import validate_choices, validate_period
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


class PollAdminForm(forms.ModelForm):
    """The period rules the service applies when scheduling (R29), already when saving."""

    class Meta:
        model = Poll
        fields = (  # each translated one in every language (TranslationAdmin)
            "cabinet",
            "initiator_kind",
            "initiator",
            "organisation_name",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "results_visibility",
            "ballots_changeable",
            "decision",
            "eligible_verification",
            "eligible_territory",
            "min_age",
        )

    def clean(self):
        cleaned = super().clean()
        if "starts_at" in self.fields and "ends_at" in self.fields:
            try:
                validate_period(cleaned.get("starts_at"), cleaned.get("ends_at"))
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = (
            "poll",
            "order",
            "text",
            "help_text",
            "kind",
            "required",
            "min_choices",
            "max_choices",
        )

    def clean(self):
        cleaned = super().clean()
        try:
            validate_choices(
                cleaned.get("kind"), cleaned.get("min_choices"), cleaned.get("max_choices")
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


def _kept(formset):
    """The inline rows that will exist after saving: stored or filled in, and not deleted."""
    return [
        form
        for form in formset.forms
        if (form.instance.pk or form.has_changed())
        and not (formset.can_delete and formset._should_delete_form(form))
    ]


class AtLeastOneQuestion(forms.BaseInlineFormSet):
    """A poll cannot be saved without a question (R29: nothing to vote on)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not _kept(self):
            raise ValidationError(_("Add at least one question."))


class OptionsEnough(forms.BaseInlineFormSet):
    """A choice question keeps at least two options, and no more than the service allows."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        question = self.instance
        try:
            validate_choices(
                question.kind, question.min_choices, question.max_choices, len(_kept(self))
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class QuestionInline(TranslationTabularInline):
    model = Question
    form = QuestionForm
    formset = AtLeastOneQuestion
    extra = 0
    fields = ("order", "text", "kind", "required", "min_choices", "max_choices")
    show_change_link = True

    def _frozen(self, obj):
        return obj is not None and obj.status not in EDITABLE_STATES  # R29

    def get_readonly_fields(self, request, obj=None):
        return self.replace_orig_field(self.fields) if self._frozen(obj) else ()

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
class PollAdmin(TranslationAdmin):
    form = PollAdminForm
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
                if f.name not in fields and f.name != "id" and not f.name.startswith("decision")
            ]
        return fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status in (Status.DRAFT, Status.REFUSED)


class OptionInline(TranslationTabularInline):
    model = Option
    formset = OptionsEnough
    extra = 0
    fields = ("order", "text")

    def _frozen(self, obj):
        return obj is not None and obj.poll.status not in EDITABLE_STATES

    def get_readonly_fields(self, request, obj=None):
        return self.replace_orig_field(self.fields) if self._frozen(obj) else ()

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(Question)
class QuestionAdmin(TranslationAdmin):
    form = QuestionForm
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
