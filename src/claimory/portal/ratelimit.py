"""Per-client limit on portal misses, so nobody can guess tokens at speed.

A fixed one-minute window per client IP, counted in Django's cache (process memory by
default, Redis when REDIS_URL is set so every worker shares the count). Once a client has
had PORTAL_404_LIMIT_PER_MINUTE misses, every token lookup from it answers 429 until the
window ends — valid tokens included, so a blocked guesser learns nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from claimory.core.rate_window import FixedWindow

WINDOW_SECONDS = 60
_MISSES = FixedWindow("portal404", WINDOW_SECONDS)


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites
    # REMOTE_ADDR for us (uvicorn --proxy-headers does exactly that).
    return request.META.get("REMOTE_ADDR") or "unknown"


def retry_after(request: HttpRequest) -> int | None:
    """Seconds until this client may try again, or None when it is under the limit."""
    return _MISSES.retry_after(client_ip(request), settings.PORTAL_404_LIMIT_PER_MINUTE)


def miss_record(request: HttpRequest) -> None:
    """Count one portal miss for this client in the current window."""
    _MISSES.hit(client_ip(request))
