from django import forms
from django.contrib import admin, messages
from django.core.files.base import ContentFile
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import events, uploads
from .models import EventDelivery, LocalDay, MunicipalitySettings


@admin.register(EventDelivery)
class EventDeliveryAdmin(admin.ModelAdmin):
    """The event outbox, read-only: what was delivered to whom, what waits and why."""

    list_display = (
        "id",
        "created_at",
        "event_type",
        "subscriber",
        "status",
        "attempts",
        "next_attempt_at",
        "done_at",
    )
    list_filter = ("status", "subscriber", "event_type")
    search_fields = ("event_type", "subscriber", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in EventDelivery._meta.fields]
    actions = ["retry_failed"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry failed deliveries"), permissions=["view"])
    def retry_failed(self, request, queryset):
        count = events.retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", count)
            % {"n": count},
            messages.SUCCESS,
        )


class MunicipalitySettingsForm(forms.ModelForm):
    """The logo is checked like every upload (``edem.core.uploads``): a real JPEG, PNG or WebP
    image, re-encoded from its pixels (no EXIF, nothing hidden after the image)."""

    class Meta:
        model = MunicipalitySettings
        fields = (
            "name",
            "short_name",
            "logo",
            "language",
            "contact_email",
            "contact_phone",
            "contact_address",
            "reception_address",
            "map_center_lat",
            "map_center_lon",
            "map_zoom",
            "map_tiles_url",
            "map_attribution",
        )

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "content_type"):  # unchanged, or cleared
            return logo
        try:
            clean = uploads.clean_upload(logo)
        except uploads.UploadRefused as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
        if not clean.content_type.startswith("image/"):
            raise forms.ValidationError(_("The logo must be a JPEG, PNG or WebP image."))
        return ContentFile(clean.content, name=clean.name)


@admin.register(MunicipalitySettings)
class MunicipalitySettingsAdmin(admin.ModelAdmin):
    """One record: the list opens it directly; it is never added twice nor deleted."""

    form = MunicipalitySettingsForm
    fieldsets = (
        (
            _("Name"),
            {
                "fields": ("name", "short_name", "logo", "language"),
                "description": _(
                    "Empty fields take the values of the server's environment (EDEM_* variables)."
                ),
            },
        ),
        (
            _("Contacts"),
            {"fields": ("contact_email", "contact_phone", "contact_address", "reception_address")},
        ),
        (
            _("Map"),
            {
                "fields": (
                    "map_center_lat",
                    "map_center_lon",
                    "map_zoom",
                    "map_tiles_url",
                    "map_attribution",
                )
            },
        ),
    )
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not MunicipalitySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """There is no list: the one record opens (or is added, the first time)."""
        record = MunicipalitySettings.objects.first()
        if record is None:
            return HttpResponseRedirect(reverse("admin:core_municipalitysettings_add"))
        return HttpResponseRedirect(
            reverse("admin:core_municipalitysettings_change", args=[record.pk])
        )


@admin.register(LocalDay)
class LocalDayAdmin(admin.ModelAdmin):
    """The municipality's own days off and working days, on top of the country's calendar;
    every deadline counted after a save takes them into account."""

    list_display = ("day", "kind", "note")
    list_filter = ("kind",)
    search_fields = ("note",)
    date_hierarchy = "day"
