from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import CommunityTie, User


def user_label(user):
    """How the admin's pickers name a person: the name and the e-mail address, since two
    people may share a name (and an invited official may not have one yet)."""
    name = user.full_name
    return f"{name} <{user.email}>" if name else user.email


class UserAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, User):
            result["text"] = user_label(obj)
        return result


def _autocomplete_view(request):
    return UserAutocompleteJsonView.as_view(admin_site=admin.site)(request)


# The admin's search-as-you-type pickers answer with names and e-mails for people.
admin.site.autocomplete_view = _autocomplete_view


class UserLabels:
    """A ModelAdmin (or inline) mixin: every choice of a person shows the name with the
    e-mail address, the selected one included (``user_label``)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is User:
            field.label_from_instance = user_label
        return field


class CommunityTieInline(admin.TabularInline):
    """Work, study or IDP registration in a territory (R30), entered by the official who saw
    the document; saving goes through ``services.confirm_community_tie`` (it records who
    confirmed it and tells the person)."""

    model = CommunityTie
    fk_name = "user"
    extra = 0
    fields = ("territory", "basis", "document", "valid_until", "confirmed_at", "confirmed_by")
    readonly_fields = ("confirmed_at", "confirmed_by")
    autocomplete_fields = ("territory",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("last_name", "first_name", "email")
    list_display = (
        "email",
        "full_name",
        "verification_level",
        "territory",
        "language",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = ("verification_level", "language", "territory", "is_staff", "is_active")
    search_fields = ("email", "last_name", "first_name", "patronymic", "phone")
    list_select_related = ("territory",)
    autocomplete_fields = ("territory",)
    readonly_fields = (
        "verification_level",
        "verification_note",
        "verified_at",
        "verified_by",
        "has_document",
        "last_login",
        "date_joined",
    )
    inlines = [CommunityTieInline]  # cabinets/admin.py adds the person's memberships
    # No bulk "verify as resident": each in-person verification records the document seen
    # (its keyed hash, R18, R30), through the registrar's screen in the service cabinet.
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Person"),
            {
                "fields": (
                    "last_name",
                    "first_name",
                    "patronymic",
                    "postal_address",
                    "phone",
                    "language",
                    "territory",
                    "birth_date",
                )
            },
        ),
        (
            _("Verification"),
            {
                "fields": (
                    "verification_level",
                    "verification_note",
                    "verified_at",
                    "verified_by",
                    "has_document",
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "last_name", "first_name", "password1", "password2"),
            },
        ),
    )

    def save_formset(self, request, form, formset, change):
        if formset.model is not CommunityTie:
            return super().save_formset(request, form, formset, change)
        ties = formset.save(commit=False)
        for tie in formset.deleted_objects:
            tie.delete()
        for tie in ties:
            if tie.pk:
                CommunityTie.objects.filter(pk=tie.pk).delete()  # re-confirmed as entered now
            services.confirm_community_tie(
                user=form.instance,
                actor=request.user,
                territory=tie.territory,
                basis=tie.basis,
                document=tie.document,
                valid_until=tie.valid_until,
            )
        formset.save_m2m()

    @admin.display(description=_("identity document recorded"), boolean=True)
    def has_document(self, obj):
        return bool(obj.document_key)

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name


@admin.register(CommunityTie)
class CommunityTieAdmin(admin.ModelAdmin):
    """All confirmed ties in one list, to find whose confirmation expires; they are entered and
    changed on the person's page (so that each goes through the service and the person is
    told)."""

    list_display = ("user", "territory", "basis", "valid_until", "confirmed_at", "confirmed_by")
    list_filter = ("basis", "territory", "valid_until")
    search_fields = ("user__email", "user__last_name", "user__first_name", "document")
    list_select_related = ("user", "territory", "confirmed_by")
    date_hierarchy = "confirmed_at"
    readonly_fields = list_display + ("document",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
