"""The widget on the authority's own website (issue 13, points 4 and 5): per cabinet, which
sites may frame it (the only origins its ``frame-ancestors`` names), which of its views are on,
and the public key its address carries."""

import secrets
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


def new_widget_key():
    """A public, unguessable key for the widget's addresses (not a secret: it is pasted into a
    public page; it only names the widget, so that cabinets' codes are not enumerated)."""
    return secrets.token_urlsafe(12)


def parse_origins(text):
    """The origins written one per line (or separated by spaces or commas), normalised to
    ``scheme://host[:port]`` in lower case; raises ValidationError naming the first bad one.

    Only https origins, and plain http for this machine (127.0.0.1, localhost: to try the
    widget locally). A path, a query, a user name or a wildcard is refused: a CSP source with
    them would either not match or match far more than the authority's site."""
    origins = []
    for raw in text.replace(",", " ").split():
        parts = urlsplit(raw.strip())
        host = (parts.hostname or "").lower()
        netloc = parts.netloc.lower()
        try:
            port = parts.port
        except ValueError:
            port = -1
        local = host in LOCAL_HOSTS or netloc.split(":")[0] in LOCAL_HOSTS
        if (
            parts.scheme not in ("https", "http")
            or (parts.scheme == "http" and not local)
            or not host
            or port == -1
            or "*" in netloc
            or "@" in netloc
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
        ):
            raise ValidationError(
                _(
                    "“%(origin)s” is not a site's origin. Write it as https://example.org "
                    "(scheme and host, an optional port, no path); plain http only for "
                    "127.0.0.1 or localhost."
                ),
                code="origin",
                params={"origin": raw},
            )
        origin = f"{parts.scheme}://{netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins


def validate_origins(text):
    parse_origins(text)


class WidgetSite(models.Model):
    """One cabinet's widget: the snippet in the admin embeds it into the listed sites."""

    cabinet = models.OneToOneField(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.CASCADE,
        related_name="widget",
    )
    key = models.SlugField(
        _("public key"),
        max_length=32,
        unique=True,
        default=new_widget_key,
        help_text=_("Part of the widget's address. Change it to retire every pasted snippet."),
    )
    allowed_origins = models.TextField(
        _("sites allowed to show the widget"),
        validators=[validate_origins],
        help_text=_(
            "One origin per line, e.g. https://admin.example.org. Only these sites may frame "
            "the widget; the rest of the portal cannot be framed by anyone."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    show_report = models.BooleanField(_("“Report a problem” button"), default=True)
    show_problems = models.BooleanField(_("latest public problems"), default=True)
    show_track = models.BooleanField(_("“Track my appeal”"), default=True)
    show_answers = models.BooleanField(_("published answers"), default=True)
    show_reception = models.BooleanField(_("reception schedule"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("website widget")
        verbose_name_plural = _("website widgets")
        ordering = ["cabinet__name"]

    def __str__(self):
        return str(self.cabinet)

    @property
    def origins(self):
        """The allowed origins as a list (an invalid stored value allows none)."""
        try:
            return parse_origins(self.allowed_origins)
        except ValidationError:
            return []

    VIEWS = ("report", "problems", "track", "answers", "reception")

    def enabled_views(self):
        return [name for name in self.VIEWS if getattr(self, f"show_{name}")]

    def clean(self):
        if not self.enabled_views():
            raise ValidationError(_("Turn on at least one of the widget's parts."))
