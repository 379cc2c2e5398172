"""The admin site, worded in the grammatical case each phrase needs.

Django's admin builds phrases from a model's ``verbose_name``: "Add %s", "Select %s to change",
"Change %s". In English any noun fits; in Russian and Ukrainian these verbs take the accusative
("Добавить территорию", not "Добавить территория"). So every model admin registered on this
site (ours and the third-party apps') gets its titles and its "Add" button with the
accusative form, looked up as ``pgettext("accusative", <English verbose name>)``; a noun whose
accusative equals the nominative needs no entry. The other phrases built from a name (the
messages after a save, the delete confirmations, the counts) are translated in our catalogue in
forms that need no agreement ("Добавлено: территория «Центр».", "Территории: 3";
``edem.core.admin_phrases``).
"""

from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import pretty_name
from django.contrib.auth.models import Permission
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from .third_party import name_admin_columns


def accusative(opts):
    """The model's verbose name in the accusative case of the active language."""
    nominative = str(opts.verbose_name)
    with translation.override("en"):
        english = str(opts.verbose_name)
    form = pgettext("accusative", english)
    return nominative if form == english else form


ACTIONS = ("add", "change", "delete", "view")


def permission_label(permission):
    """A permission as the admin's pickers show it, in the active language: Django stores the
    names in English ("Can add territory"), built from the model's English name."""
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:
        return str(permission)
    opts = model._meta
    action, _sep, model_name = permission.codename.partition("_")
    if action in ACTIONS and model_name == opts.model_name:
        what = pgettext("permission", action)
    else:
        what = _(permission.name)
    return f"{opts.app_config.verbose_name} | {opts.verbose_name} | {what}"


def label_unnamed_fields(fields):
    for name, field in fields.items():
        if field.label is None:
            field.label = gettext_lazy(pretty_name(name))


class WordedAdmin:
    """Mixed into every ModelAdmin registered on ``EdemAdminSite``."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and db_field.related_model is Permission:
            formfield.label_from_instance = permission_label
        return formfield

    def get_form(self, request, obj=None, change=False, **kwargs):
        """Fields a third-party form declares without a label ("Provider") are labelled with
        a translation of the name Django would derive."""
        form = super().get_form(request, obj, change=change, **kwargs)
        label_unnamed_fields(form.base_fields)

        def __init__(self, *args, **kwargs):  # fields added in the form's own __init__
            form.__init__(self, *args, **kwargs)
            label_unnamed_fields(self.fields)

        return type(form.__name__, (form,), {"__init__": __init__, "__module__": form.__module__})

    def changelist_view(self, request, extra_context=None):
        name = accusative(self.opts)
        if IS_POPUP_VAR in request.GET:
            title = _("Select %s") % name
        elif self.has_change_permission(request):
            title = _("Select %s to change") % name
        else:
            title = _("Select %s to view") % name
        context = {"title": title, "verbose_name_accusative": name, **(extra_context or {})}
        return super().changelist_view(request, context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        name = accusative(self.opts)
        if object_id is None:
            title = _("Add %s") % name
        else:
            obj = self.get_object(request, admin.utils.unquote(object_id))
            if obj is not None and self.has_change_permission(request, obj):
                title = _("Change %s") % name
            else:
                title = _("View %s") % name
        context = {"title": title, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, context)


class EdemAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        for model in (
            [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        ):
            name_admin_columns(model, admin_class)
        if not issubclass(admin_class, WordedAdmin):
            admin_class = type(
                admin_class.__name__,
                (WordedAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def each_context(self, request):
        from .municipality import current

        context = super().each_context(request)
        name = current().short_name
        if name:
            context["site_header"] = _("%(name)s: administration") % {"name": name}
            context["site_title"] = context["site_header"]
        return context
