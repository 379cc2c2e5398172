"""Sessions in the database, read through the cache (issue 15).

The database stays the source of truth: every write goes there first (Django's ``cached_db``),
so a Redis outage logs nobody out. Reads come from the cache, which saves a query on every
signed-in request. The cached copy lives at most ``CACHE_LIFETIME`` seconds: while Redis is
away, ``ResilientRedisCache`` answers from each process's own memory, so a sign-out in one
process cannot delete another process's copy (nor the copy Redis still holds when it comes
back); the cap bounds how long such a copy can outlive the session row.
"""

from django.contrib.sessions.backends import cached_db
from django.core.cache.backends.base import DEFAULT_TIMEOUT

CACHE_LIFETIME = 120  # seconds


class _CappedCache:
    """The session cache with every timeout cut to ``CACHE_LIFETIME``."""

    def __init__(self, cache):
        self._cache = cache

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if timeout is None or timeout is DEFAULT_TIMEOUT or timeout > CACHE_LIFETIME:
            timeout = CACHE_LIFETIME
        return self._cache.set(key, value, timeout, version=version)

    def __contains__(self, key):
        return key in self._cache

    def __getattr__(self, name):
        return getattr(self._cache, name)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _CappedCache(self._cache)
