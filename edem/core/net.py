"""The client's address, one way for the whole portal.

Behind a reverse proxy every request comes from the proxy's address, so ``REMOTE_ADDR`` alone
would put the proxy into the access log, the petition signatures and every per-address rate
limit (one attacker would then lock out the town). ``X-Forwarded-For`` is only believed
through as many proxies as ``EDEM_TRUSTED_PROXIES`` says: each trusted proxy appends the
address it received the request from, so the client is the N-th entry from the right; what a
client wrote into the header itself stays to the left of it and is ignored.
"""

import ipaddress

from django.conf import settings


def _address(value):
    """``value`` as a normalised IP address, or None when it is not one (ports and the
    brackets of an IPv6 literal are tolerated, as some proxies add them)."""
    value = (value or "").strip()
    if value.startswith("["):  # "[2001:db8::1]:443"
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request):
    """The address of the client that sent ``request``, or None when there is none."""
    remote = _address(request.META.get("REMOTE_ADDR"))
    trusted = settings.EDEM_TRUSTED_PROXIES
    if not trusted:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        # No proxy forwarded this request (a health check from inside the network).
        return remote
    # Fewer entries than trusted proxies: every entry was written by one of them, the leftmost
    # by the outermost proxy the request passed through.
    candidate = hops[-trusted] if len(hops) >= trusted else hops[0]
    return _address(candidate) or remote
