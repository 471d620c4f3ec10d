"""The client address of every rate limit and lockout: the API's throttles, the API's and the admin's login
lockouts (django-axes' AXES_CLIENT_IP_CALLABLE). One function, so no limit counts a different address.

It is the connection's address, unless the connection comes from our own proxies (settings: NUM_PROXIES, or
TRUSTED_PROXIES), which overwrite X-Forwarded-For (docs/deploy.md): then it is the address they saw. An
X-Forwarded-For from anyone else is ignored, so a client cannot choose its address by sending one.

IPv6 clients count per /64, the block one subscriber is given: an attacker cycling through the addresses of
their own block is still one client.
"""

import functools
import ipaddress

from django.conf import settings

IPV6_CLIENT_PREFIX = 64


def client_address(request) -> str:
    """The client's address as text (an IPv6 client's /64 as its first address), or "" when unknown."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = remote
    if remote is not None and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if settings.TRUSTED_PROXIES:
            address = _behind_trusted_proxies(remote, hops, _networks(tuple(settings.TRUSTED_PROXIES)))
        elif settings.NUM_PROXIES:
            # As DRF's NUM_PROXIES: the Nth entry from the right is the one our outermost proxy wrote.
            address = _parse(hops[-min(settings.NUM_PROXIES, len(hops))]) or remote
    return _as_client(address) if address is not None else ""


def _behind_trusted_proxies(remote, hops, networks):
    """Walk X-Forwarded-For from the right while the hop that reported an entry is one of our proxies."""
    address = remote
    for hop in reversed(hops):
        if not any(address in network for network in networks):
            break
        reported = _parse(hop)
        if reported is None:  # a proxy wrote garbage: the last address we could trust stands
            break
        address = reported
    return address


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(text: str):
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d: the same client as a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


def _as_client(address) -> str:
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False).network_address)
    return str(address)
