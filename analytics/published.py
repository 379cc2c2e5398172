"""The published figures (the effectiveness rating, the public statistics) are the same for
every visitor and change only when the rollup does: they are cached under the rollup's version,
the time of its last refresh, so that a page reads one row to know whether its figures are
current. Before the rollup has ever run there is no version, and nothing is cached."""

from django.core.cache import cache
from django.utils import translation

from .models import RollupState
from .services import STATE_KEY

TIMEOUT = 6 * 3600  # a version lives until the next refresh; this only bounds the memory


def rollup_version():
    """The time of the rollup's last refresh as text, or None if it never ran."""
    last = RollupState.objects.filter(key=STATE_KEY).values_list("last_run_at", flat=True).first()
    return last.isoformat() if last else None


def cached(name, compute, *parts):
    """``compute()``, kept in the cache under the rollup's version, the language (the figures
    carry translated labels) and ``parts``."""
    version = rollup_version()
    if version is None:
        return compute()
    key = ":".join(
        ["analytics", name, version, translation.get_language() or "", *(str(p) for p in parts)]
    )
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
