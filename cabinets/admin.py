from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from edem.accounts.admin import UserAdmin, UserLabels, user_label
from edem.accounts.models import User
from edem.core.admin_tools import ListProtectedOnDelete

from . import services
from .models import Cabinet, ExternalBody, Membership, Publication, StaffInvitation
from .roles import Role


class MembershipInline(UserLabels, TranslationTabularInline):
    model = Membership
    extra = 1
    fields = ("user", "role", "position", "started_at", "ended_at")
    autocomplete_fields = ("user",)
    verbose_name_plural = _("staff and roles (end a membership instead of deleting it)")


class UserMembershipInline(admin.TabularInline):
    """A person's memberships, read-only on the person's page in the admin."""

    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("cabinet", "role", "position", "started_at", "ended_at")
    readonly_fields = ("cabinet", "role", "position", "started_at", "ended_at")
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("memberships in service cabinets (edit them on the cabinet)")

    def has_add_permission(self, request, obj=None):
        return False


class UserWithMembershipsAdmin(UserAdmin):
    """The person's page of ``edem.accounts`` with their memberships in service cabinets:
    accounts know nothing of cabinets, so cabinets extend the person's page."""

    inlines = [*UserAdmin.inlines, UserMembershipInline]


admin.site.unregister(User)
admin.site.register(User, UserWithMembershipsAdmin)


@admin.register(Cabinet)
class CabinetAdmin(UserLabels, ListProtectedOnDelete, TranslationAdmin):
    list_display = (
        "name",
        "short_name",
        "code",
        "kind",
        "parent",
        "heads",
        "active_staff",
        "is_active",
    )
    list_filter = ("kind", "is_active", "territory")
    search_fields = ("name", "short_name", "code", "email")
    list_select_related = ("parent", "head")
    autocomplete_fields = ("parent", "head", "territory")
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (
            None,
            {"fields": ("name", "short_name", "code", "kind", "parent", "territory", "is_active")},
        ),
        (
            _("Contacts"),
            {"fields": ("head", "email", "phone", "address", "office_hours", "website")},
        ),
        (_("Public page"), {"fields": ("description",)}),
    )

    def get_queryset(self, request):
        heads = Membership.objects.active().filter(role=Role.HEAD).select_related("user")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("memberships", queryset=heads, to_attr="active_heads"))
        )

    @admin.display(description=_("head"))
    def heads(self, obj):
        """The cabinet's heads by their active head memberships, else the "head" contact."""
        people = [m.user for m in getattr(obj, "active_heads", [])]
        if not people and obj.head_id:
            people = [obj.head]
        return ", ".join(user_label(person) for person in people) or "—"

    @admin.display(description=_("active staff"))
    def active_staff(self, obj):
        return obj.memberships.filter(ended_at__isnull=True).count()

    def save_related(self, request, form, formsets, change):
        # Memberships edited inline: re-derive the guardian permissions of everyone concerned.
        super().save_related(request, form, formsets, change)
        services.sync_all_for_cabinet(form.instance)


@admin.register(Membership)
class MembershipAdmin(UserLabels, TranslationAdmin):
    list_display = ("user", "cabinet", "role", "position", "started_at", "ended_at")
    list_filter = ("role", "cabinet", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "user__last_name", "cabinet__name", "position")
    list_select_related = ("user", "cabinet")
    autocomplete_fields = ("user", "cabinet")

    def save_model(self, request, obj, form, change):
        previous = Membership.objects.filter(pk=obj.pk).select_related("user", "cabinet").first()
        super().save_model(request, obj, form, change)
        services.sync_cabinet_permissions(user=obj.user, cabinet=obj.cabinet)
        if previous and (previous.user_id, previous.cabinet_id) != (obj.user_id, obj.cabinet_id):
            services.sync_cabinet_permissions(user=previous.user, cabinet=previous.cabinet)

    def has_delete_permission(self, request, obj=None):
        return False  # end a membership (set "ended") so that the history stays


@admin.register(Publication)
class PublicationAdmin(UserLabels, TranslationAdmin):
    list_display = ("title", "cabinet", "kind", "status", "published_at", "territory")
    list_filter = ("status", "kind", "cabinet", "territory")
    search_fields = ("title", "summary", "body")
    date_hierarchy = "published_at"
    list_select_related = ("cabinet", "territory")
    autocomplete_fields = ("cabinet", "territory", "author")

    def save_model(self, request, obj, form, change):
        obj.render_body()
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


class InviteAdminForm(forms.ModelForm):
    """The admin's "Invite an official" page: saving sends the invitation
    (``services.invite_official``), with every check of the service."""

    class Meta:
        model = StaffInvitation
        fields = ("email", "last_name", "first_name", "patronymic", "cabinet", "role", "position")

    actor = None  # the administrator; set by ``StaffInvitationAdmin.get_form``

    def clean(self):
        data = super().clean()
        if self.errors or self.actor is None:
            return data
        try:
            services.check_invitation(
                actor=self.actor, cabinet=data["cabinet"], email=data["email"], role=data["role"]
            )
        except (services.CabinetError, PermissionDenied) as error:
            raise ValidationError(str(error)) from error
        return data


@admin.register(StaffInvitation)
class StaffInvitationAdmin(admin.ModelAdmin):
    """Invitations to cabinets' staff. "Add" is the invitation page; a sent invitation is
    read-only and may be withdrawn (its link stops working) or sent anew."""

    list_display = (
        "email",
        "full_name",
        "cabinet",
        "role",
        "status",
        "created_at",
        "expires_at",
        "invited_by",
    )
    list_filter = ("status", "role", "cabinet")
    search_fields = ("email", "last_name", "first_name", "cabinet__name")
    list_select_related = ("cabinet", "invited_by")
    autocomplete_fields = ("cabinet",)
    actions = ["withdraw", "send_again"]
    readonly_fields = (
        "email",
        "last_name",
        "first_name",
        "patronymic",
        "cabinet",
        "role",
        "position",
        "status",
        "created_at",
        "expires_at",
        "accepted_at",
        "invited_by",
        "user",
    )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = type("InviteAdminForm", (InviteAdminForm,), {"actor": request.user})
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else InviteAdminForm.Meta.fields

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw instead: the staff history keeps every invitation

    @admin.display(description=_("full name"))
    def full_name(self, obj):
        return obj.full_name

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = {name: form.cleaned_data.get(name) or "" for name in InviteAdminForm.Meta.fields}
        invitation = services.invite_official(actor=request.user, **data)
        obj.pk = invitation.pk
        obj.__dict__.update(
            {
                f.attname: getattr(invitation, f.attname)
                for f in StaffInvitation._meta.concrete_fields
            }
        )

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "title": _("Invite an official")}
        return super().add_view(request, form_url, extra_context)

    @admin.action(description=_("Withdraw the chosen invitations"))
    def withdraw(self, request, queryset):
        done = 0
        for invitation in queryset.filter(status=StaffInvitation.Status.PENDING):
            services.revoke_invitation(invitation=invitation, actor=request.user)
            done += 1
        self.message_user(request, _("Invitations withdrawn: %(n)d.") % {"n": done})

    @admin.action(description=_("Send the chosen invitations again (with a new link)"))
    def send_again(self, request, queryset):
        done = 0
        for old in queryset.exclude(status=StaffInvitation.Status.ACCEPTED):
            try:
                services.invite_official(
                    actor=request.user,
                    cabinet=old.cabinet,
                    email=old.email,
                    last_name=old.last_name,
                    first_name=old.first_name,
                    patronymic=old.patronymic,
                    role=old.role,
                    position=old.position,
                )
            except services.CabinetError as error:
                self.message_user(request, f"{old.email}: {error}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("Invitations sent: %(n)d.") % {"n": done})


@admin.register(ExternalBody)
class ExternalBodyAdmin(ListProtectedOnDelete, admin.ModelAdmin):
    """The directory of bodies outside the portal that appeals are forwarded to by e-mail."""

    list_display = ("name", "kind", "email", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "email")
