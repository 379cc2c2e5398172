from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from edem.core.markup import xml_safe

from .models import Cabinet
from .selectors import public_publications

FEED_SIZE = 30


class PublicationsRssFeed(Feed):
    """Latest publications of all cabinets, or of one (``/news/feed/<code>/rss/``)."""

    def get_object(self, request, code=None):
        return get_object_or_404(Cabinet.objects.active(), code=code) if code else None

    def title(self, obj):
        name = settings.EDEM_PORTAL_NAME or _("edem: e-democracy portal")
        return f"{obj.name} — {name}" if obj else _("News — %(portal)s") % {"portal": name}

    def link(self, obj):
        url = reverse("cabinets:publication_list")
        return f"{url}?cabinet={obj.code}" if obj else url

    def description(self, obj):
        return (
            obj.description
            if obj and obj.description
            else _("News and announcements of the authorities.")
        )

    def items(self, obj):
        return public_publications(cabinet=obj)[:FEED_SIZE]

    def item_title(self, item):
        return xml_safe(item.title)

    def item_description(self, item):
        return xml_safe(item.body_html)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.cabinet.name

    def item_categories(self, item):
        return [item.get_kind_display()]


class PublicationsAtomFeed(PublicationsRssFeed):
    feed_type = Atom1Feed
    subtitle = PublicationsRssFeed.description
