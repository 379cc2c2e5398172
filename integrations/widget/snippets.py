"""The code an authority pastes into its website (shown on the widget's admin page)."""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

#: The files the script snippet makes a browser load: the embed script on the host page, and
#: the stylesheet and script of the framed page (≤ 30 KB in all; tests/integrations measure).
WIDGET_STATIC_FILES = ("widget/embed.js", "widget/widget.css", "widget/widget.js")


def _absolute(site_url, path):
    return path if path.startswith(("http://", "https://")) else f"{site_url}{path}"


def frame_title(widget):
    return _("%(cabinet)s: problems, appeals and reception") % {"cabinet": widget.cabinet.name}


def script_snippet(widget, site_url=None):
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    return format_html(
        '<script src="{}" data-edem-widget="{}" data-title="{}" async></script>',
        _absolute(site_url, static("widget/embed.js")),
        widget.key,
        frame_title(widget),
    )


def iframe_snippet(widget, site_url=None):
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    return format_html(
        '<iframe src="{}" title="{}" width="100%" height="600" loading="lazy"></iframe>',
        site_url + reverse("widget:index", args=[widget.key]),
        frame_title(widget),
    )
