from django.contrib import admin, messages
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from cabinets.admin import CabinetAdmin
from cabinets.models import Cabinet
from cabinets.selectors import staffless_cabinets, with_receiving_staff
from edem.core.admin_tools import ListProtectedOnDelete
from edem.core.jurisdiction import get_profile
from edem.core.net import client_ip

from .models import (
    AccessLog,
    AnswerTemplate,
    Appeal,
    AppealEvent,
    CabinetAppealSettings,
    Category,
    ClassifierCode,
    DeadlinePolicy,
    Rating,
    RoutingRule,
)
from .selectors import open_appeals_of
from .services import log_access
from .workflow import OPEN_STATES

LISTED_APPEALS = 50


class CabinetWithAppealsAdmin(CabinetAdmin):
    """The cabinet's admin page of ``cabinets`` with what appeals need to know: a cabinet
    without an active head or registrar receives no routing and is not offered to citizens,
    and its open appeals are listed so that the administrator hands them over."""

    list_display = (*CabinetAdmin.list_display, "receives_appeals")

    def get_queryset(self, request):
        return with_receiving_staff(super().get_queryset(request))

    @admin.display(boolean=True, description=_("receives appeals"))
    def receives_appeals(self, obj):
        return obj.is_active and obj.has_receiving_staff

    def changelist_view(self, request, extra_context=None):
        staffless = staffless_cabinets().annotate(
            open_appeals=Count("appeals", filter=Q(appeals__status__in=OPEN_STATES))
        )
        for cabinet in staffless:
            if cabinet.open_appeals:
                self.message_user(
                    request,
                    format_html(
                        '<a href="{}">{}</a>: {}',
                        reverse("admin:cabinets_cabinet_change", args=[cabinet.pk]),
                        cabinet.name,
                        ngettext(
                            "no active head or registrar, %(n)d open appeal nobody registers or sees.",
                            "no active head or registrar, %(n)d open appeals nobody registers or sees.",
                            cabinet.open_appeals,
                        )
                        % {"n": cabinet.open_appeals},
                    ),
                    messages.WARNING,
                )
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        cabinet = staffless_cabinets().filter(pk=object_id).first()
        if cabinet is not None and request.method == "GET":
            appeals = list(open_appeals_of(cabinet)[: LISTED_APPEALS + 1])
            text = _(
                "This cabinet has no active head or registrar: appeals are not routed to it and citizens cannot choose it. Add a head or a registrar below."
            )
            if appeals:
                links = format_html_join(
                    ", ",
                    '<a href="{}">{}</a>',
                    (
                        (
                            reverse("admin:appeals_appeal_change", args=[a.pk]),
                            a.number or f"#{a.pk}",
                        )
                        for a in appeals[:LISTED_APPEALS]
                    ),
                )
                more = "…" if len(appeals) > LISTED_APPEALS else ""
                text = format_html(
                    "{} {} {}{}", text, _("Its open appeals, nobody sees them:"), links, more
                )
            self.message_user(request, text, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)


admin.site.unregister(Cabinet)
admin.site.register(Cabinet, CabinetWithAppealsAdmin)


class TopLevelFilter(admin.RelatedFieldListFilter):
    """The "group" filter offers the top-level categories only (the groups)."""

    def field_choices(self, field, request, model_admin):
        return field.get_choices(
            include_blank=False,
            limit_choices_to={"parent__isnull": True},
            ordering=("order", "name"),
        )


@admin.register(Category)
class CategoryAdmin(ListProtectedOnDelete, TranslationAdmin):
    """Categories listed in their groups: each top-level category, then its sub-categories,
    in the order citizens see them in the forms (appeals.categories)."""

    list_display = ("__str__", "group", "default_cabinet", "classifier", "order", "is_active")
    list_filter = ("is_active", ("parent", TopLevelFilter), "default_cabinet")
    search_fields = ("name", "parent__name")
    list_editable = ("order", "is_active")
    list_select_related = ("parent", "default_cabinet", "classifier")
    autocomplete_fields = ("parent", "default_cabinet", "classifier")

    def get_ordering(self, request):
        # The group's place, then the group's own row first, then its members in order.
        return [
            Coalesce("parent__order", "order").asc(),
            Coalesce("parent__name", "name").asc(),
            F("parent").asc(nulls_first=True),
            "order",
            "name",
        ]

    @admin.display(description=_("group"), ordering="parent__name")
    def group(self, category):
        return category.parent.name if category.parent_id else "—"


@admin.register(ClassifierCode)
class ClassifierCodeAdmin(ListProtectedOnDelete, TranslationAdmin):
    """The topic classifier of appeals (R16): loaded by ``migrate`` (a starter list) and by
    ``manage.py load_classifier --file`` (the official list); corrected here."""

    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    ordering = ("profile", "code")
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        """The active profile's classifier: the other profile's codes are never used here."""
        return super().get_queryset(request).filter(profile=get_profile().code)

    def get_search_results(self, request, queryset, search_term):
        """The pickers offer the active profile's codes in use only."""
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            queryset = queryset.filter(profile=get_profile().code, is_active=True)
        return queryset, distinct


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "territory", "cabinet", "priority")
    list_filter = ("cabinet", "territory", "category")
    search_fields = ("category__name", "territory__name", "cabinet__name")
    list_select_related = ("category", "territory", "cabinet")
    autocomplete_fields = ("category", "territory", "cabinet")


@admin.register(CabinetAppealSettings)
class CabinetAppealSettingsAdmin(admin.ModelAdmin):
    list_display = ("cabinet", "registration", "number_format")
    list_filter = ("registration",)
    search_fields = ("cabinet__name", "cabinet__code")
    autocomplete_fields = ("cabinet",)


class AppealEventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "action", "from_status", "to_status", "note", "is_public")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only: appeals change only through the service cabinet, and are never deleted."""

    list_display = ("__str__", "subject", "cabinet", "kind", "status", "received_at", "legal_due")
    list_filter = ("status", "kind", "channel", "cabinet", "category", "archived")
    search_fields = ("number", "subject", "last_name", "email")
    date_hierarchy = "received_at"
    list_select_related = ("cabinet",)
    inlines = [AppealEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["co_executors"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        appeal = Appeal.objects.filter(pk=object_id).first()
        if appeal is not None and response.status_code == 200:
            log_access(  # R14/R18: the page shows the citizen's personal data
                user=request.user,
                action=AccessLog.Action.VIEW,
                appeal=appeal,
                ip=client_ip(request),
                via="admin",
            )
        return response

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """R14/R18: who saw personal data and who exported lists. Read-only."""

    list_display = ("at", "user", "action", "appeal", "cabinet", "ip")
    list_filter = ("action", "cabinet")
    search_fields = ("user__email", "user__last_name", "appeal__number")
    date_hierarchy = "at"
    list_select_related = ("user", "appeal", "cabinet")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("appeal", "stars", "created_at")
    list_filter = ("stars",)
    search_fields = ("appeal__number", "comment")
    list_select_related = ("appeal",)


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(TranslationAdmin):
    list_display = ("title", "category", "cabinet", "is_active")
    list_filter = ("is_active", "category", "cabinet")
    search_fields = ("title", "body")
    autocomplete_fields = ("category", "cabinet")


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    """One row: the reminder days and the "due soon" window, with the legal terms of the
    jurisdiction profile shown beside them, read-only."""

    list_display = ("__str__", "first_reminder_days", "last_reminder_days", "due_soon_days")
    fields = ("legal_terms", "first_reminder_days", "last_reminder_days", "due_soon_days")
    readonly_fields = ("legal_terms",)

    @admin.display(description=_("Legal terms (jurisdiction profile, not editable)"))
    def legal_terms(self, obj):
        profile = get_profile()
        rows = [
            (_("Law"), profile.law_name),
            (_("Registration, days from receipt"), profile.registration_days),
            (_("Forwarding, days from registration"), profile.forwarding_days),
            (_("Answer, days"), profile.answer_days or "—"),
            (_("Answer, months"), profile.answer_months or "—"),
            (_("Extension at most, days"), profile.max_extension_days or "—"),
            (_("Extensions allowed"), profile.extensions_allowed or "—"),
            (_("Notice of no answer on the merits, days"), profile.no_merits_notice_days),
        ]
        return format_html_join(
            "", "<div><strong>{}</strong>: {}</div>", ((str(k), str(v)) for k, v in rows)
        )

    def has_add_permission(self, request):
        return not DeadlinePolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
