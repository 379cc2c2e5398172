"""Lists to choose from that come from the data, kept in this process between requests: the
work queue's filter (topics, territories, executors) and the card's action forms (cabinets,
external bodies, staff, classifier codes, the answer template of a topic). Pages drawn on every
visit build them once per language, scope and data version instead of reading them each time.

The version lives in the cache; ``choices_changed`` (connected in ``AppealsConfig.ready`` to
the models the lists come from) moves it, now and once the change commits, so a change shows
up on the next page. The cache is an optimisation, never a dependency (DESIGN §5): when it
cannot be read the lists are built from the database; a bump lost while it was away leaves a
list stale for at most ``TTL``. The form fields' querysets still check what is sent."""

import time

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from edem.core.cache import bump_counter

VERSION_KEY = "appeals:filter-choices-version"
TTL = 300  # seconds: the longest a lost bump (cache server away) leaves a list stale
MAX_KEPT = 200
_kept = {}


def kept(scope, build):
    """``build()``'s result for ``scope`` (a hashable tuple), kept in this process per
    language and data version."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            # Past any value it ever had: a cache emptied (or another one, as each test has)
            # never gives again a version this process has kept lists for.
            cache.add(VERSION_KEY, time.time_ns(), None)
            version = cache.get(VERSION_KEY)
    except Exception:  # noqa: BLE001 - the cache is an optimisation (DESIGN §5)
        return build()
    if version is None:  # the cache keeps nothing (a dummy one)
        return build()
    key = (get_language(), scope, version)
    found = _kept.get(key)
    now = time.monotonic()
    if found is None or now - found[0] > TTL:
        if len(_kept) > MAX_KEPT:
            _kept.clear()
        found = _kept[key] = (now, build())
    return found[1]


# A save that changes nothing any list shows (a sign-in stamps ``last_login``).
IRRELEVANT_UPDATES = frozenset({"last_login"})


def choices_changed(**kwargs):
    """A row some list comes from changed: the lists are built again (now, and once the change
    is committed)."""
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= IRRELEVANT_UPDATES:
        return

    bump_counter(VERSION_KEY)
    transaction.on_commit(lambda: bump_counter(VERSION_KEY), using=kwargs.get("using"))
