import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from edem.core.admin_tools import ListProtectedOnDelete

from . import imports
from .models import Territory
from .shapes import shape_from_geojson
from .widgets import GeoJSONMapWidget


class TerritoryForm(forms.ModelForm):
    class Meta:
        model = Territory
        fields = ["name", "kind", "parent", "boundary"]
        widgets = {"boundary": GeoJSONMapWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["boundary"].widget.territory_id = self.instance.pk

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


class ImportForm(forms.Form):
    """Step one: the file and the kind for features that do not name theirs."""

    file = forms.FileField(
        label=_("GeoJSON file"),
        required=False,
        help_text=_(
            "A FeatureCollection of Polygons or MultiPolygons in longitude/latitude (WGS 84). Each feature's properties give “name”, and optionally “kind” and “parent” (a name); without a parent the containing territory is found on the map."
        ),
    )
    default_kind = forms.ChoiceField(
        label=_("kind when a feature does not say"),
        choices=Territory.Kind.choices,
        initial=Territory.Kind.DISTRICT,
    )
    geojson = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > 20 * 1024 * 1024:
                raise ValidationError(_("The file is larger than 20 MB."))
            try:
                cleaned["geojson"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ValidationError(_("The file is not UTF-8 text.")) from exc
        if not cleaned.get("geojson"):
            raise ValidationError(_("Choose a GeoJSON file."))
        return cleaned


@admin.register(Territory)
class TerritoryAdmin(ListProtectedOnDelete, TranslationAdmin):
    form = TerritoryForm
    change_list_template = "admin/geo/territory/change_list.html"
    list_display = ("name", "kind", "parent", "has_boundary", "updated_at")
    list_filter = ("kind", "parent")
    search_fields = ("name",)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)

    @admin.display(boolean=True, description=_("boundary"))
    def has_boundary(self, obj):
        return bool(obj.boundary)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="geo_territory_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a FeatureCollection, see what will be created (with every problem), then
        confirm; nothing is created while any feature has a problem."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        plan = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            plan = imports.read(
                form.cleaned_data["geojson"], default_kind=form.cleaned_data["default_kind"]
            )
            if "confirm" in request.POST and plan.ok:
                try:
                    created = imports.create(plan)
                except ValidationError as exc:
                    plan.errors.extend(exc.messages)
                else:
                    self.message_user(
                        request,
                        ngettext(
                            "%(n)d territory imported.", "%(n)d territories imported.", len(created)
                        )
                        % {"n": len(created)},
                        messages.SUCCESS,
                    )
                    return redirect("admin:geo_territory_changelist")
            form = ImportForm(
                initial={
                    "geojson": form.cleaned_data["geojson"],
                    "default_kind": form.cleaned_data["default_kind"],
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import territories from GeoJSON"),
            "form": form,
            "plan": plan,
        }
        return TemplateResponse(request, "admin/geo/territory/import.html", context)
