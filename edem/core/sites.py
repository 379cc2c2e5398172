"""The sites record (used by allauth and Django's sitemaps/feeds) follows ``SITE_URL``, so that
a portal started on another host or port (``make run PORT=…``) names itself correctly."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import Site


def sync_site(**kwargs):
    """Write ``SITE_URL``'s host[:port] into the current sites record (post_migrate handler)."""
    domain = urlsplit(settings.SITE_URL).netloc
    if not domain:
        return
    using = kwargs.get("using", "default")
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "edem"}
    )
