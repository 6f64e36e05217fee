"""Refusing portal writes sent from other sites, without CSRF cookies.

Token endpoints carry no cookie (the token in the path is the credential), so Django's CSRF
check does not apply. What remains is to refuse a browser request that another site made:
an ``Origin`` naming a different origin, or ``Sec-Fetch-Site`` saying the request crossed
sites. ``Origin: null`` is allowed: browsers send exactly that for our own form posts,
because the portal's referrer policy is ``no-referrer``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_key(value: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def own_origins(request: HttpRequest) -> set[tuple[str, str, int]]:
    """The configured public origin and the origin this request was addressed to."""
    origins = set()
    if settings.BASE_URL:
        configured = _origin_key(settings.BASE_URL)
        if configured:
            origins.add(configured)
    try:
        here = _origin_key(f"{request.scheme}://{request.get_host()}")
    except DisallowedHost:
        here = None
    if here:
        origins.add(here)
    return origins


def is_cross_site(request: HttpRequest) -> bool:
    """True when the browser tells us another site sent this request."""
    if request.headers.get("Sec-Fetch-Site", "").lower() in ("cross-site", "same-site"):
        return True
    origin = request.headers.get("Origin")
    if origin is None or origin.strip() == "null":
        return False
    key = _origin_key(origin)
    return key is None or key not in own_origins(request)
