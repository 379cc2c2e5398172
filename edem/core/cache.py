"""The cache backend: Redis, and this process's memory when Redis does not answer.

The cache is an optimisation, never a dependency (DESIGN §5). A Redis that is down, restarting
or too slow must cost a page some speed, never an error. Django's own ``RedisCache`` raises
the client's connection errors into the request; ``django-redis`` can swallow them
(``IGNORE_EXCEPTIONS``) but then answers every call with "nothing": ``add()`` fails, and
allauth, whose rate limits take a lock with ``cache.add()``, refuses every sign-in as "too many
attempts". So this backend falls back to a local-memory cache instead: while Redis is away each
process keeps its own counters, locks and cached pages (rate limits hold per process, pages are
recomputed once and cached locally), and after ``RETRY_AFTER`` seconds it asks Redis again.
A failed call is retried on the fallback at once, so no caller ever sees the outage.
"""

import logging
import re
import threading
import time

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

# What "Redis is not there" looks like; anything else (a wrong type, a bug) still raises.
UNAVAILABLE = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,  # a replica
    redis_errors.OutOfMemoryError,  # full, under maxmemory-policy noeviction
    OSError,
)
# A server that is up but refuses writes because it cannot persist them
# (stop-writes-on-bgsave-error: a full disk); redis-py has no class of its own for it.
UNAVAILABLE_REPLIES = ("MISCONF",)
DEFAULT_RETRY_AFTER = 5.0  # seconds
FALLBACK_MAX_ENTRIES = 5000
CLEAR_BATCH = 1000  # keys scanned and unlinked per round trip by clear()


class ResilientRedisCache(RedisCache):
    """``RedisCache`` that degrades to a per-process ``LocMemCache`` while Redis is down.

    ``OPTIONS`` takes Django's Redis options (``socket_connect_timeout``, ``socket_timeout``
    keep a hung server from holding a request) plus ``RETRY_AFTER``: how long, after a failure,
    the process uses its memory without trying Redis (each try can cost the time-outs).
    """

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        params["OPTIONS"] = options
        super().__init__(server, params)
        fallback_params = {
            key: value for key, value in params.items() if key not in ("OPTIONS", "LOCATION")
        }
        fallback_params["OPTIONS"] = {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES}
        self.fallback = LocMemCache(f"edem-fallback:{server}:{self.key_prefix}", fallback_params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    # --- state -------------------------------------------------------------------------------

    @property
    def available(self):
        """False while this process treats Redis as down (after a failure, for RETRY_AFTER)."""
        return time.monotonic() >= self._down_until

    def _failed(self, error):
        with self._lock:
            first = self.available
            self._down_until = time.monotonic() + self.retry_after
        if first:
            logger.warning("Cache server unavailable (%s); using local memory for now.", error)

    def _call(self, name, *args, **kwargs):
        if self.available:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNAVAILABLE as error:
                self._failed(error)
            except redis_errors.ResponseError as error:
                if not str(error).startswith(UNAVAILABLE_REPLIES):
                    raise
                self._failed(error)
        return getattr(self.fallback, name)(*args, **kwargs)

    def ping(self):
        """Ask Redis itself (for the readiness check); raises when it does not answer."""
        self._cache.get_client(write=True).ping()
        with self._lock:
            self._down_until = 0.0
        return True

    # --- the cache API (BaseCache builds get_or_set, decr, incr_version, ... on these) -------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        """Empty this cache: the keys under its own ``KEY_PREFIX``, never the whole Redis
        database (Django's ``RedisCache.clear`` flushes it), which may hold the Celery broker's
        queues or another cache's keys (another web process's prefix, another test's)."""
        self.fallback.clear()
        if not self.available:
            return True
        # Django's keys are "<prefix>:<version>:<key>"; the prefix is matched literally.
        pattern = re.sub(r"([\\*?\[\]])", r"\\\1", self.key_prefix) + ":*"
        try:
            client = self._cache.get_client(write=True)
            batch = []
            for key in client.scan_iter(match=pattern, count=CLEAR_BATCH):
                batch.append(key)
                if len(batch) >= CLEAR_BATCH:
                    client.unlink(*batch)
                    batch = []
            if batch:
                client.unlink(*batch)
        except UNAVAILABLE as error:
            self._failed(error)
        return True


def start_counter(key, timeout=None):
    """Start a version counter past any value it ever had (the time in nanoseconds), so that
    what was kept under an earlier value is never taken for current. Never raises."""
    try:
        cache.set(key, time.time_ns(), timeout)
    except Exception as error:  # the cache must never fail a write (DESIGN §5)
        logger.warning("Cache unwritable (%s).", error)


def bump_counter(key, timeout=None):
    """Move a version counter on: what was kept under its value is out of date. A counter the
    cache does not hold (never started, evicted) starts again (``start_counter``). Never
    raises: what was kept then expires on its own."""
    try:
        cache.incr(key)
    except ValueError:
        start_counter(key, timeout)
    except Exception as error:  # the cache must never fail a write (DESIGN §5)
        logger.warning("Cache unwritable (%s); what is kept expires on its own.", error)
