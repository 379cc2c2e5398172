"""How often one network may ask "track my appeal": the number and code are meant to be
typed, not guessed, so a few dozen tries an hour are plenty. Counted in the cache; when the
cache does not answer the limit fails open (an eight-character code from 32 symbols is
2^40 guesses per number, and every look-up still needs both)."""

import time

from django.core.cache import cache

from edem.core.net import client_ip, rate_key

TRACKS_PER_HOUR = 30
WINDOW = 3600


def track_allowed(request):
    """Count one look-up by the client's network; False once over the hour's limit."""
    network = rate_key(client_ip(request)) or "unknown"
    key = f"widget:track:{network}:{int(time.time() // WINDOW)}"
    try:
        cache.add(key, 0, WINDOW)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, WINDOW)
            count = 1
    except Exception:  # noqa: BLE001 - the cache is an optimisation, never a dependency
        return True
    return count <= TRACKS_PER_HOUR
