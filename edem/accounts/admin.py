from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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


class UserVerificationForm(UserChangeForm):
    """The person's page: a change of verification level says on what ground (the document
    seen, or why it is withdrawn); the identity level comes only from the provider."""

    def clean(self):
        data = super().clean()
        if "verification_level" in self.changed_data:
            level = data.get("verification_level")
            if level == User.Verification.IDENTITY:
                self.add_error(
                    "verification_level",
                    _("Only a sign-in through the identity provider sets this level."),
                )
            elif not (data.get("verification_note") or "").strip():
                self.add_error(
                    "verification_note",
                    _("Say which document you saw, or why the confirmation is withdrawn."),
                )
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserVerificationForm
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
    readonly_fields = ("verified_at", "verified_by", "last_login", "date_joined")
    inlines = [CommunityTieInline]  # cabinets/admin.py adds the person's memberships
    actions = ["verify_as_resident"]
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
            {"fields": ("verification_level", "verification_note", "verified_at", "verified_by")},
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

    def save_model(self, request, obj, form, change):
        """A new verification level goes through ``services.change_verification_level``,
        which records who changed it and when (and tells the person)."""
        level = obj.verification_level
        if not (change and "verification_level" in form.changed_data):
            return super().save_model(request, obj, form, change)
        obj.verification_level = form.initial["verification_level"]
        super().save_model(request, obj, form, change)
        services.change_verification_level(
            user=obj, actor=request.user, level=level, note=obj.verification_note
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

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.action(description=_("Confirm as resident (document seen at the service centre)"))
    def verify_as_resident(self, request, queryset):
        count = 0
        for user in queryset:
            services.verify_resident(
                user=user,
                actor=request.user,
                note=_("Confirmed in the admin by %(who)s") % {"who": request.user},
            )
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d person confirmed.", "%(n)d people confirmed.", count) % {"n": count},
            messages.SUCCESS,
        )


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
