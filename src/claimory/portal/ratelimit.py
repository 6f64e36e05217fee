"""Per-client limit on portal misses, so nobody can guess tokens at speed.

A fixed one-minute window per client IP, counted in Django's cache (process memory by
default, Redis when REDIS_URL is set so every worker shares the count). Once a client has
had PORTAL_404_LIMIT_PER_MINUTE misses, every token lookup from it answers 429 until the
window ends — valid tokens included, so a blocked guesser learns nothing.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites
    # REMOTE_ADDR for us (uvicorn --proxy-headers does exactly that).
    return request.META.get("REMOTE_ADDR") or "unknown"


def _window() -> tuple[int, float]:
    now = time.time()
    start = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
    return start, start + WINDOW_SECONDS - now


def _key(request: HttpRequest, start: int) -> str:
    return f"portal404:{client_ip(request)}:{start}"


def retry_after(request: HttpRequest) -> int | None:
    """Seconds until this client may try again, or None when it is under the limit."""
    limit = settings.PORTAL_404_LIMIT_PER_MINUTE
    if limit <= 0:
        return None
    start, remaining = _window()
    if cache.get(_key(request, start), 0) < limit:
        return None
    return max(1, math.ceil(remaining))


def miss_record(request: HttpRequest) -> None:
    """Count one portal miss for this client in the current window."""
    start, _remaining = _window()
    key = _key(request, start)
    # add() is a no-op when the key exists, so concurrent first misses do not reset it.
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
