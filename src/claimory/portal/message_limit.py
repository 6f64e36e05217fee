"""Per-claim cap on portal messages, so a leaked link or a stuck button cannot flood the shop.

A fixed window per claim (not per token: rotating the link must not reset it), counted like
the 404 limit (core/rate_window.py: the database, or Redis), so every worker shares it.
"""

from __future__ import annotations

from claimory.core.rate_window import FixedWindow

LIMIT = 10
WINDOW_SECONDS = 300
_MESSAGES = FixedWindow("portalmsg", WINDOW_SECONDS)


def retry_after(claim_id: int) -> int | None:
    """Seconds until the customer may write again, or None when they are under the cap."""
    return _MESSAGES.retry_after(str(claim_id), LIMIT)


def message_count(claim_id: int) -> None:
    """Count one accepted message in the current window."""
    _MESSAGES.hit(str(claim_id))
