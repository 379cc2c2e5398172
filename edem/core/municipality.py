"""The municipality's settings as the portal uses them: ``current()``.

The administrator edits one record in the admin (``core.MunicipalitySettings``); every blank
field there falls back to the environment (``EDEM_MUNICIPALITY_NAME``, ``EDEM_MAP_CENTER``,
``EDEM_MAP_TILES_URL``, ``LANGUAGE_CODE``, ...), so a portal set up only through its
environment works as before. Code that shows one of these values reads it here, never from
``settings`` directly.

The record is cached (DESIGN §5: the cache is an optimisation, never a dependency): a read
asks this process's memory (for ``LOCAL_TTL`` seconds: nothing per request that can be per
process), then the cache, then the database; a save deletes the cached copies at once and again
after commit, so the next page of the process that saved shows the change at once and the
other processes' pages within ``LOCAL_TTL`` seconds, without a restart. The cache's own time-out bounds
how long a copy can outlive a save made while Redis was away. A database that cannot be read
(no table yet, or down) gives the environment's values and is not cached.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

CACHE_KEY = "core:municipality:v1"
CACHE_TIMEOUT = 300  # seconds
LOCAL_TTL = 10.0  # seconds a process keeps its own copy
# This process's copy of the record: (the cache's key prefix it mirrors, the values, expiry).
_local = (None, None, 0.0)
_local_lock = threading.Lock()

FIELDS = (
    "name",
    "short_name",
    "logo",
    "contact_email",
    "contact_phone",
    "contact_address",
    "reception_address",
    "map_center_lat",
    "map_center_lon",
    "map_zoom",
    "map_tiles_url",
    "map_attribution",
    "language",
    "updated_at",
)


@dataclass(frozen=True)
class Municipality:
    """The values in force: the record's, or the environment's where the record is blank."""

    name: str
    short_name: str
    logo: str  # the stored file's name; "" without a logo
    contact_email: str
    contact_phone: str
    contact_address: str
    reception_address: str
    map_center: tuple[float, float]  # (latitude, longitude)
    map_zoom: int
    map_tiles_url: str
    map_attribution: str
    language: str
    version: str  # changes with every save (the logo's address carries it)

    @property
    def portal_name(self):
        """The portal's own name (``EDEM_PORTAL_NAME`` or the translated default)."""
        return settings.EDEM_PORTAL_NAME or _("edem: e-democracy portal")

    @property
    def site_name(self):
        """The name the sites record and mails use: the municipality's, else the portal's."""
        return self.short_name or self.name or self.portal_name

    @property
    def logo_url(self):
        if not self.logo:
            return ""
        return f"{reverse('municipality_logo')}?v={self.version}"


def _from_values(values):
    lat, lon = values.get("map_center_lat"), values.get("map_center_lon")
    if lat is not None and lon is not None:
        center = (float(lat), float(lon))
    else:
        center = tuple(float(x) for x in settings.EDEM_MAP_CENTER)
    name = values.get("name") or settings.EDEM_MUNICIPALITY_NAME
    return Municipality(
        name=name,
        short_name=values.get("short_name") or name,
        logo=values.get("logo") or "",
        contact_email=values.get("contact_email") or settings.EDEM_CONTACT_EMAIL,
        contact_phone=values.get("contact_phone") or settings.EDEM_CONTACT_PHONE,
        contact_address=values.get("contact_address") or settings.EDEM_CONTACT_ADDRESS,
        reception_address=values.get("reception_address") or "",
        map_center=center,
        map_zoom=int(values.get("map_zoom") or settings.EDEM_MAP_ZOOM),
        map_tiles_url=values.get("map_tiles_url") or settings.EDEM_MAP_TILES_URL,
        map_attribution=values.get("map_attribution") or settings.EDEM_MAP_ATTRIBUTION,
        language=values.get("language") or settings.LANGUAGE_CODE,
        version=str(values.get("version") or ""),
    )


def _read_record():
    """The record's fields as a dict ({} without a record), or None if the database cannot
    be read. A savepoint keeps a failed read from breaking the caller's transaction."""
    from .models import MunicipalitySettings

    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            row = (
                MunicipalitySettings.objects.filter(pk=MunicipalitySettings.SINGLETON_ID)
                .values(*FIELDS)
                .first()
            )
    except DatabaseError as error:
        logger.warning("Municipality settings unreadable (%s); using the environment.", error)
        return None
    if row is None:
        return {}
    updated_at = row.pop("updated_at")
    row["version"] = f"{updated_at.timestamp():.0f}" if updated_at else ""
    return row


def _cache_get():
    try:
        return cache.get(CACHE_KEY)
    except Exception as error:  # the cache must never fail a page (DESIGN §5)
        logger.warning("Cache unreadable (%s); reading municipality settings from the DB.", error)
        return None


def _cache_set(values):
    try:
        cache.set(CACHE_KEY, values, CACHE_TIMEOUT)
    except Exception as error:
        logger.warning("Cache unwritable (%s).", error)


def current() -> Municipality:
    """The municipality's settings in force now."""
    global _local
    scope, values, until = _local
    if values is not None and scope == cache.key_prefix and time.monotonic() < until:
        return _from_values(values)  # the environment's defaults are read each time, as below
    values = _cache_get()
    if values is None:
        values = _read_record()
        if values is None:
            return _from_values({})
        _cache_set(values)
    with _local_lock:
        _local = (cache.key_prefix, values, time.monotonic() + LOCAL_TTL)
    return _from_values(values)


def forget():
    """Drop the cached copies (after a save); never raises."""
    global _local
    with _local_lock:
        _local = (None, None, 0.0)
    try:
        cache.delete(CACHE_KEY)
    except Exception as error:
        logger.warning("Cache unwritable (%s); settings refresh when the copy expires.", error)


def settings_changed(**kwargs):
    """post_save / post_delete handler: forget the copy now and once the change is committed
    (a page rendered in between may have cached the old values), and keep the sites record's
    name in step."""
    forget()
    transaction.on_commit(forget, using=kwargs.get("using"))
    transaction.on_commit(_sync_site, using=kwargs.get("using"))


def _sync_site():
    from .sites import sync_site

    try:
        sync_site()
    except DatabaseError as error:  # after commit: the settings are saved; log, do not fail
        logger.warning("Sites record not updated (%s).", error)
