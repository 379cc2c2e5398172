import json

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Territory
from .shapes import shape_from_geojson
from .widgets import GeoJSONMapWidget


class TerritoryForm(forms.ModelForm):
    class Meta:
        model = Territory
        fields = ["name", "kind", "parent", "boundary"]
        widgets = {"boundary": GeoJSONMapWidget}

    def clean_boundary(self):
        value = self.cleaned_data.get("boundary")
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else None
            except ValueError as exc:
                raise forms.ValidationError(_("This is not valid JSON.")) from exc
        if value:
            try:
                shape_from_geojson(value)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return value


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    form = TerritoryForm
    list_display = ("name", "kind", "parent", "has_boundary", "updated_at")
    list_filter = ("kind", "parent")
    search_fields = ("name",)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)

    @admin.display(boolean=True, description=_("boundary"))
    def has_boundary(self, obj):
        return bool(obj.boundary)
