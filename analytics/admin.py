"""The monitoring indicators in the admin: the administrator defines them (code, unit, cabinet
that keeps them, target); the values are entered by that cabinet's officials in the service
cabinet, and can be corrected here."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from .models import Indicator, IndicatorValue, Report, ReportSubscription


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    fields = ("period", "value", "note", "entered_by", "entered_at")
    readonly_fields = ("entered_by", "entered_at")
    ordering = ("-period",)


@admin.register(Indicator)
class IndicatorAdmin(TranslationAdmin):
    list_display = (
        "name",
        "code",
        "unit",
        "territory",
        "cabinet",
        "frequency",
        "target",
        "is_published",
        "value_count",
    )
    list_filter = ("is_published", "frequency", "cabinet", "territory")
    search_fields = ("name", "code", "source")
    prepopulated_fields = {"code": ("name",)}
    inlines = (IndicatorValueInline,)
    fieldsets = (
        (None, {"fields": ("name", "code", "unit", "description")}),
        (
            _("Where and who"),
            {"fields": ("cabinet", "territory", "category", "frequency", "source")},
        ),
        (_("Target and publication"), {"fields": ("target", "higher_is_better", "is_published")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("territory", "cabinet")
            .annotate(n_values=Count("values"))
        )

    @admin.display(description=_("values"), ordering="n_values")
    def value_count(self, obj):
        return obj.n_values


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Statutory reports as made (R16): made by the beat task or by a head, never edited."""

    list_display = ("__str__", "cabinet", "period_start", "period_end", "is_public", "created_at")
    list_filter = ("kind", "is_public", "cabinet")
    readonly_fields = (
        "kind",
        "cabinet",
        "period_start",
        "period_end",
        "pdf",
        "xlsx",
        "is_public",
        "created_at",
    )
    exclude = ("data",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "cabinet", "created_at")
    list_filter = ("cabinet",)
    search_fields = ("user__email", "user__last_name", "cabinet__name")
    autocomplete_fields = ("user", "cabinet")
