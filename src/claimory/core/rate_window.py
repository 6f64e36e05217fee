"""Fixed-window counters in Django's cache (shared by all workers when REDIS_URL is set)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class FixedWindow:
    """At most ``limit`` hits per ``seconds`` per subject; the window restarts on the clock."""

    prefix: str
    seconds: int

    def _window(self) -> tuple[int, float]:
        now = time.time()
        start = int(now // self.seconds) * self.seconds
        return start, start + self.seconds - now

    def _key(self, subject: str, start: int) -> str:
        return f"{self.prefix}:{subject}:{start}"

    def retry_after(self, subject: str, limit: int) -> int | None:
        """Seconds until ``subject`` may go on, or None while it is under ``limit``."""
        if limit <= 0:
            return None
        start, remaining = self._window()
        if cache.get(self._key(subject, start), 0) < limit:
            return None
        return max(1, math.ceil(remaining))

    def hit(self, subject: str) -> None:
        """Count one hit for ``subject`` in the current window."""
        start, _remaining = self._window()
        key = self._key(subject, start)
        # add() is a no-op when the key exists, so concurrent first hits do not reset it.
        cache.add(key, 0, timeout=self.seconds * 2)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=self.seconds * 2)
