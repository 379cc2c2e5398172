"""The client's address, one way for the whole portal.

Behind a reverse proxy every request comes from the proxy's address, so ``REMOTE_ADDR`` alone
would put the proxy into the access log, the petition signatures and every per-address rate
limit (one attacker would then lock out the town). ``X-Forwarded-For`` is only believed
through as many proxies as ``EDEM_TRUSTED_PROXIES`` says: each trusted proxy appends the
address it received the request from, so the client is the N-th entry from the right; what a
client wrote into the header itself stays to the left of it and is ignored.

Abuse limits count normalised keys, so that they cannot be sidestepped: ``rate_key`` puts every
address of one IPv6 /64 under one key, and ``registrable_domain`` puts every subdomain of a mail
domain under the domain registered (by the Public Suffix List: ``mx.corp.org`` is ``corp.org``,
``a.example.co.uk`` is ``example.co.uk``).
"""

import functools
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


IPV6_PREFIX = 64  # one subscriber's IPv6 allocation: a /64 at least


def rate_key(ip):
    """The part of an address a per-address limit counts: an IPv4 address itself, but for
    IPv6 its /64 network, since one subscriber gets a whole /64 (often more) and can change
    the rest of the address at will. None for no address or not an address."""
    address = _address(ip) if isinstance(ip, str) else None
    if address is None:
        return None
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # "::ffff:203.0.113.7" is that IPv4 address
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return address


@functools.cache
def _suffixes():
    # The Public Suffix List as bundled with the package (a dated snapshot): read from disk,
    # never fetched at run time.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def registrable_domain(value):
    """The domain a person registers (``corp.org`` for ``d@mx.corp.org``, ``example.co.uk``
    for ``a.example.co.uk``), by the Public Suffix List; an e-mail address or a bare domain.
    A name that is itself a public suffix, or no name at all, stays as it is (lower case)."""
    domain = (value or "").rsplit("@", 1)[-1].strip().strip(".").lower()
    if not domain:
        return ""
    return _suffixes().privatesuffix(domain) or domain
