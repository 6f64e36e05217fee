"""Who the client is: the one place that decides the address rate limits count.

The peer address is the client, unless the peer is a proxy the operator named in
CLAIMORY_TRUSTED_PROXIES (IPs or CIDRs; none by default). Only then is X-Forwarded-For read,
from the right: each trusted hop is skipped and the first address a trusted proxy did not
write is the client. Anything a client writes into the header itself sits to the left of
that and is never believed — so a client on 127.0.0.1 cannot name itself someone else.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network,
                                                  ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _parse(value: str) -> IPAddress | None:
    value = value.strip().strip('"')
    if value.startswith("["):  # "[2001:db8::1]:443"
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # "203.0.113.9:51234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped  # "::ffff:203.0.113.9" is 203.0.113.9
    return address


def is_trusted_proxy(address: str | IPAddress | None) -> bool:
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or address is None:
        return False
    parsed = _parse(address) if isinstance(address, str) else address
    return parsed is not None and any(parsed in net for net in networks)


def client_ip(peer: str | None, forwarded_for: str | None) -> str:
    """The client's address, from the connection's peer and its X-Forwarded-For header."""
    peer = peer or UNKNOWN
    if not forwarded_for or not is_trusted_proxy(peer):
        return peer
    hops = [_parse(hop) for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        if hop is None:  # garbage written by a trusted hop's client: stop believing here
            break
        if not is_trusted_proxy(hop):
            return str(hop)
    else:
        # Every hop is a trusted proxy: the leftmost is as far back as anyone can tell.
        if hops and hops[0] is not None:
            return str(hops[0])
    return peer


def request_client_ip(request: HttpRequest) -> str:
    """client_ip() for a Django request."""
    return client_ip(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"))


def scope_client_ip(scope) -> str:
    """client_ip() for a raw ASGI scope (the portal's fast paths)."""
    peer = scope.get("client")
    forwarded = [value.decode("latin-1") for name, value in scope.get("headers", ())
                 if name == b"x-forwarded-for"]
    return client_ip(peer[0] if peer else None, ", ".join(forwarded) or None)
