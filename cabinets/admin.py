from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from edem.accounts.admin import UserAdmin
from edem.accounts.models import User
from edem.core.admin_tools import ListProtectedOnDelete
from edem.core.markup import render_markdown

from . import services
from .models import Cabinet, Membership, Publication


class MembershipInline(admin.TabularInline):
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
class CabinetAdmin(ListProtectedOnDelete, admin.ModelAdmin):
    list_display = (
        "name",
        "short_name",
        "code",
        "kind",
        "parent",
        "head",
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

    @admin.display(description=_("active staff"))
    def active_staff(self, obj):
        return obj.memberships.filter(ended_at__isnull=True).count()

    def save_related(self, request, form, formsets, change):
        # Memberships edited inline: re-derive the guardian permissions of everyone concerned.
        super().save_related(request, form, formsets, change)
        services.sync_all_for_cabinet(form.instance)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
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
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("title", "cabinet", "kind", "status", "published_at", "territory")
    list_filter = ("status", "kind", "cabinet", "territory")
    search_fields = ("title", "summary", "body")
    date_hierarchy = "published_at"
    list_select_related = ("cabinet", "territory")
    autocomplete_fields = ("cabinet", "territory", "author")

    def save_model(self, request, obj, form, change):
        obj.body_html = render_markdown(obj.body)
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
