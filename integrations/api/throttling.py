"""Per-client rate limit: ``ApiClient.rate_limit`` calls a minute, counted in the cache in
fixed one-minute windows; over it, 429 with ``Retry-After``. The count is an optimisation of
fairness, never a dependency: when the cache does not answer, the call goes through (a cache in
a write path once refused every filing while Redis was down)."""

import logging
import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from integrations.models import ApiClient

logger = logging.getLogger(__name__)
WINDOW = 60  # seconds


class ClientRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        client = request.auth
        if not isinstance(client, ApiClient) or not client.rate_limit:
            return True
        now = time.time()
        window = int(now // WINDOW)
        self.retry_after = max(1, int((window + 1) * WINDOW - now) + 1)
        key = f"api:rate:{client.pk}:{window}"
        try:
            if cache.add(key, 1, WINDOW + 5):
                count = 1
            else:
                try:
                    count = cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, WINDOW + 5)
                    count = 1
        except Exception:  # noqa: BLE001 - the cache is an optimisation, never a dependency
            logger.warning("API rate limit: the cache does not answer; the call goes through")
            return True
        return count <= client.rate_limit

    def wait(self):
        return getattr(self, "retry_after", WINDOW)
