from django import forms
from django.contrib import admin
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from ..models import WidgetSite
from ..models.widget import parse_origins
from .snippets import iframe_snippet, script_snippet


class WidgetSiteForm(forms.ModelForm):
    class Meta:
        model = WidgetSite
        fields = (
            "cabinet",
            "allowed_origins",
            "is_active",
            "key",
            "show_report",
            "show_problems",
            "show_track",
            "show_answers",
            "show_reception",
        )
        widgets = {"allowed_origins": forms.Textarea(attrs={"rows": 3})}

    def clean_allowed_origins(self):
        origins = parse_origins(self.cleaned_data["allowed_origins"])
        if not origins:
            raise forms.ValidationError(_("Name at least one site."))
        return "\n".join(origins)  # stored normalised, one per line


@admin.register(WidgetSite)
class WidgetSiteAdmin(admin.ModelAdmin):
    form = WidgetSiteForm
    list_display = ("cabinet", "is_active", "origins_list", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("cabinet__name", "allowed_origins")
    autocomplete_fields = ("cabinet",)
    readonly_fields = ("snippets",)
    fieldsets = (
        (None, {"fields": ("cabinet", "allowed_origins", "is_active", "key")}),
        (
            _("Parts shown"),
            {
                "fields": (
                    "show_report",
                    "show_problems",
                    "show_track",
                    "show_answers",
                    "show_reception",
                )
            },
        ),
        (_("Code for the website"), {"fields": ("snippets",)}),
    )

    @admin.display(description=_("allowed sites"))
    def origins_list(self, obj):
        return ", ".join(obj.origins)

    @admin.display(description=_("code to paste"))
    def snippets(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the widget first: its code appears here.")
        return format_html(
            '<p>{}</p><pre id="widget-script-snippet"><code>{}</code></pre>'
            '<p>{}</p><pre id="widget-iframe-snippet"><code>{}</code></pre>',
            _("Paste this where the widget should appear on the site (one script tag):"),
            escape(script_snippet(obj)),  # shown as text, never as a tag
            _("Or, where scripts cannot be added, this frame (with a fixed height):"),
            escape(iframe_snippet(obj)),
        )
