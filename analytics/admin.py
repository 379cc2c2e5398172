"""The monitoring indicators in the admin: the administrator defines them (code, unit, cabinet
that keeps them, target); the values are entered by that cabinet's officials in the service
cabinet, and can be corrected here."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Indicator, IndicatorValue


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    fields = ("period", "value", "note", "entered_by", "entered_at")
    readonly_fields = ("entered_by", "entered_at")
    ordering = ("-period",)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
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
