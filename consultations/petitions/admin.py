from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services, signing
from .models import Petition, PetitionEvent, PetitionSettings, Signature
from .workflow import Status


@admin.register(PetitionSettings)
class PetitionSettingsAdmin(admin.ModelAdmin):
    """One row: the municipality's petition numbers (R23–R25)."""

    list_display = (
        "__str__",
        "signature_threshold",
        "collection_days",
        "sign_verification",
        "moderation_working_days",
        "announce_working_days",
        "decision_working_days",
    )
    fieldsets = (
        (
            _("Threshold and period"),
            {"fields": ("signature_threshold", "collection_days", "sign_verification")},
        ),
        (
            _("Terms in working days"),
            {
                "fields": (
                    "moderation_working_days",
                    "announce_working_days",
                    "decision_working_days",
                )
            },
        ),
        (
            _("Abuse controls"),
            {
                "fields": (
                    "confirmation_days",
                    "signatures_per_ip_per_hour",
                    "signatures_per_domain_per_hour",
                    "unlimited_domains",
                )
            },
        ),
    )

    def has_add_permission(self, request):
        return not PetitionSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ModerationQueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("moderation", _("Waiting for moderation")),
            ("consideration", _("Waiting for the addressee")),
            ("overdue", _("Overdue")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "moderation":
            return queryset.filter(status=Status.MODERATION).order_by("moderation_due")
        if self.value() == "consideration":
            return queryset.filter(
                status__in=[Status.THRESHOLD_REACHED, Status.UNDER_CONSIDERATION]
            )
        if self.value() == "overdue":
            return queryset.filter(
                Q(status=Status.MODERATION, moderation_due__lt=today)
                | Q(status=Status.THRESHOLD_REACHED, announce_due__lt=today)
                | Q(status=Status.UNDER_CONSIDERATION, decision_due__lt=today)
            )
        return queryset


class PetitionEventInline(admin.TabularInline):
    model = PetitionEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "action", "from_status", "to_status", "note", "is_public", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    """Petitions change state only through the service cabinet (their history stays whole);
    here an administrator finds them and adjusts who may sign."""

    list_display = (
        "pk",
        "title",
        "cabinet",
        "status",
        "signature_count",
        "signature_threshold",
        "moderation_due",
        "collection_ends_on",
        "published_at",
    )
    list_filter = (ModerationQueueFilter, "status", "cabinet", "territory", "answer_result")
    search_fields = ("title", "text", "author_name", "author__email")
    date_hierarchy = "created_at"
    list_select_related = ("cabinet",)
    inlines = [PetitionEventInline]
    EDITABLE = ("eligible_territory", "min_age", "territory")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.EDITABLE]

    def save_model(self, request, obj, form, change):
        """Who may sign changes the petition: the change goes into its history."""
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            services.record_admin_change(petition=obj, actor=request.user, fields=form.changed_data)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("Invalidate the selected signatures (logged, recounted)"))
def invalidate_selected(modeladmin, request, queryset):
    total = signing.invalidate_chosen(
        signatures=queryset,
        actor=request.user,
        reason=str(_("Invalidated by an administrator in the admin.")),
    )
    modeladmin.message_user(
        request,
        ngettext("%(n)d signature invalidated.", "%(n)d signatures invalidated.", total)
        % {"n": total},
        messages.SUCCESS,
    )


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = (
        "petition",
        "public_name",
        "show_name",
        "ip",
        "email_domain",
        "created_at",
        "confirmed_at",
        "invalidated_at",
    )
    list_filter = (
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("invalidated_at", admin.EmptyFieldListFilter),
        "show_name",
        "petition__status",
        "petition__cabinet",
    )
    search_fields = ("public_name", "ip", "email_domain", "petition__title")
    date_hierarchy = "created_at"
    list_select_related = ("petition",)
    actions = [invalidate_selected]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
