"""RSS and Atom feeds of the latest public problems: built from the public projection only, so
a feed carries nothing a problem page does not (no contacts, address or co-signers; the
author's name only if they chose to show it)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from edem.core.markup import xml_safe

from .selectors import public_problems

FEED_SIZE = 50


class ProblemsRssFeed(Feed):
    def title(self):
        name = settings.EDEM_PORTAL_NAME or _("edem: e-democracy portal")
        return _("Public problems — %(portal)s") % {"portal": name}

    def link(self):
        return reverse("problems:list")

    def description(self):
        return _("The latest problems residents have published, and their state.")

    def items(self):
        return public_problems().select_related("category").order_by("-published_at")[:FEED_SIZE]

    # Residents type these texts: a stray control character must not break the whole feed.
    def item_title(self, item):
        return xml_safe(item.subject)

    def item_description(self, item):
        parts = [item.get_state_display(), str(item.category or ""), Truncator(item.text).words(60)]
        return xml_safe(" · ".join(p for p in parts if p))

    def item_link(self, item):
        return reverse("problems:detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return xml_safe(item.author_name) or None


class ProblemsAtomFeed(ProblemsRssFeed):
    feed_type = Atom1Feed
    subtitle = ProblemsRssFeed.description
