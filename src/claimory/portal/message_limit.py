"""Per-claim cap on portal messages, so a leaked link or a stuck button cannot flood the shop.

A fixed window per claim (not per token: rotating the link must not reset it), counted in
Django's cache like the 404 limit, so every worker shares the count when REDIS_URL is set.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache

LIMIT = 10
WINDOW_SECONDS = 300


def _window() -> tuple[int, float]:
    now = time.time()
    start = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
    return start, start + WINDOW_SECONDS - now


def _key(claim_id: int, start: int) -> str:
    return f"portalmsg:{claim_id}:{start}"


def retry_after(claim_id: int) -> int | None:
    """Seconds until the customer may write again, or None when they are under the cap."""
    start, remaining = _window()
    if cache.get(_key(claim_id, start), 0) < LIMIT:
        return None
    return max(1, math.ceil(remaining))


def message_count(claim_id: int) -> None:
    """Count one accepted message in the current window."""
    start, _remaining = _window()
    key = _key(claim_id, start)
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
