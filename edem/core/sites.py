"""The sites record (used by allauth and Django's sitemaps/feeds) follows ``SITE_URL`` and the
municipality's name, so that a portal started on another host or port (``make run PORT=…``)
names itself correctly, and mails never say "example.com". Written after migrations and after
every save of the municipality settings (``edem.core.municipality``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import Site


def sync_site(**kwargs):
    """Write ``SITE_URL``'s host[:port] and the municipality's name into the current sites
    record (post_migrate handler; also called after the settings are saved)."""
    from django.utils import translation

    from .municipality import current

    domain = urlsplit(settings.SITE_URL).netloc
    if not domain:
        return
    using = kwargs.get("using", "default")
    municipality = current()
    with translation.override(municipality.language):  # the portal's name is translated
        name = str(municipality.site_name)[:50]
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": name}
    )
