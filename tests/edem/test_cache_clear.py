"""The cache empties only its own keys (edem.core.cache.ResilientRedisCache.clear): the Redis
database it shares with the Celery broker, another process's or another test's cache keeps
everything else."""

import redis

from edem.core.cache import ResilientRedisCache
from tests.edem.test_cache_outage import redis_server  # noqa: F401  (fixture)


def _cache(url, prefix):
    return ResilientRedisCache(url, {"KEY_PREFIX": prefix, "OPTIONS": {"socket_timeout": 1}})


def test_clear_deletes_its_own_keys_and_nothing_else(redis_server):  # noqa: F811
    url = f"{redis_server.url}/0"
    mine, other, lookalike = _cache(url, "web*1"), _cache(url, "web-2"), _cache(url, "webX1")
    for number in range(2500):  # more than one round of the scan
        mine.set(f"page:{number}", number)
    other.set("page:1", "kept")
    lookalike.set("page:1", "kept too")  # "web*1" must not match it as a pattern
    raw = redis.Redis.from_url(url)
    raw.lpush("celery", "a queued task")  # the broker's queue, in the same database

    assert mine.clear() is True

    assert mine.get("page:1") is None and mine.get("page:2499") is None
    assert other.get("page:1") == "kept"
    assert lookalike.get("page:1") == "kept too"
    assert raw.lrange("celery", 0, -1) == [b"a queued task"]
    assert not list(raw.scan_iter(match="web\\*1:*"))
