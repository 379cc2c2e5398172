"""Names for the third-party apps' models and fields that have none of their own.

A model without ``verbose_name`` (allauth's ``Authenticator``) or a field without one
(``created_at``), or with one declared without gettext (celery-beat's "Task Name"), is shown under a name Django derives from the code ("authenticator",
"Created at"), which no catalogue can translate. Here those derived names become lazy
translations of themselves, so our catalogue (``edem.core.admin_phrases``) translates them; the
admin's columns named after a method or a property without a description get the same. Only
the names in memory change: migrations read the declared options (``original_attrs``,
``Field._verbose_name``), so no migration follows.
"""

from django.apps import apps
from django.contrib.admin.utils import pretty_name
from django.utils.translation import gettext_lazy

OUR_APPS = ("edem", "cabinets", "appeals", "consultations", "analytics")


def _is_ours(model):
    return model.__module__.split(".")[0] in OUR_APPS


def name_models():
    """Make the derived names of third-party models and fields translatable."""
    for model in apps.get_models():
        if _is_ours(model):
            continue
        opts = model._meta
        if "verbose_name" not in opts.original_attrs or isinstance(opts.verbose_name, str):
            opts.verbose_name = gettext_lazy(str(opts.verbose_name))
        if "verbose_name_plural" not in opts.original_attrs or isinstance(
            opts.verbose_name_plural, str
        ):
            opts.verbose_name_plural = gettext_lazy(str(opts.verbose_name_plural))
        for field in opts.get_fields(include_hidden=True):
            # A plain string is a name derived from the code or declared without gettext.
            if isinstance(getattr(field, "verbose_name", None), str):
                field.verbose_name = gettext_lazy(field.verbose_name)


def name_admin_columns(model, admin_class):
    """Give a description to the admin's columns and read-only fields that are a method of the
    admin or a property of the model without one (django-celery-beat's "crontab_translation",
    "human_readable")."""
    names = [
        *getattr(admin_class, "list_display", ()),
        *getattr(admin_class, "readonly_fields", ()),
    ]
    for name in names:
        if not isinstance(name, str) or name == "__str__":
            continue
        attr = getattr(admin_class, name, None)
        if callable(attr) and not hasattr(attr, "short_description"):
            attr.short_description = gettext_lazy(pretty_name(name))
            continue
        prop = getattr(model, name, None)
        if isinstance(prop, property) and not hasattr(prop.fget, "short_description"):
            prop.fget.short_description = gettext_lazy(pretty_name(name))


def name_apps():
    """Sections of third-party apps named only after their label ("Guardian")."""
    for config in apps.get_app_configs():
        if not config.name.startswith(OUR_APPS) and isinstance(config.verbose_name, str):
            config.verbose_name = gettext_lazy(config.verbose_name)


CRON_LOCALES = {"ru": "ru_RU", "uk": "uk_UA"}


def describe_cron_in_the_active_language():
    """django-celery-beat describes a crontab ("Every minute") with cron-descriptor, in the
    process's locale; it has Russian and Ukrainian, so ask it in the request's language."""
    from cron_descriptor import Options
    from cron_descriptor import get_description as describe
    from django.utils import translation
    from django_celery_beat import models as beat_models

    def get_description(expression, options=None):
        options = options or Options()
        language = (translation.get_language() or "")[:2]
        options.locale_code = CRON_LOCALES.get(language, "en_US")
        options.use_24hour_time_format = language in CRON_LOCALES
        return describe(expression, options)

    beat_models.get_description = get_description


def translate_boolean_icons():
    """The admin's yes/no icons carry "True"/"False" as their text alternative, untranslated
    (django.contrib.admin.templatetags.admin_list._boolean_icon); screen readers read it."""
    from django.contrib.admin.templatetags import admin_list
    from django.templatetags.static import static
    from django.utils.html import format_html
    from django.utils.translation import gettext

    def boolean_icon(field_val):
        icon = {True: "yes", False: "no", None: "unknown"}[field_val]
        text = {True: gettext("Yes"), False: gettext("No"), None: gettext("Unknown")}[field_val]
        return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)

    admin_list._boolean_icon = boolean_icon


def name_everything():
    name_apps()
    name_models()
    describe_cron_in_the_active_language()
    translate_boolean_icons()
