"""Fixed-window counters shared by every worker process.

Counted in the database (``RateCounter``, one atomic upsert per hit, on SQLite and
PostgreSQL alike) unless Redis is configured, where Django's cache (Redis) is used instead.
Never per process: a limit must mean the same with one worker or eight.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from claimory.core.models import RateCounter

# One new window in this many sweeps the table of windows that have ended.
SWEEP_ONE_IN = 50


def store() -> str:
    """"cache" (Redis) or "database", from CLAIMORY_RATE_LIMIT_STORE ("auto" by default)."""
    chosen = settings.RATE_LIMIT_STORE
    if chosen == "auto":
        return "cache" if settings.REDIS_URL else "database"
    return chosen


# One statement, so two workers counting at the same moment both land; SQLite (>= 3.35) and
# PostgreSQL share this syntax and the double-quoted names.
_UPSERT = (
    'INSERT INTO "core_ratecounter" ("key", "count", "expires_at") VALUES (%s, 1, %s) '
    'ON CONFLICT ("key") DO UPDATE SET "count" = "core_ratecounter"."count" + 1 '
    'RETURNING "count"'
)

_READ = 'SELECT "count" FROM "core_ratecounter" WHERE "key" = %s'


def _db_hit(key: str, expires_at: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [key, expires_at])
        count = cursor.fetchone()[0]
    if count == 1 and random.randrange(SWEEP_ONE_IN) == 0:  # noqa: S311 - not security
        RateCounter.objects.filter(expires_at__lt=int(time.time())).delete()
    return count


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
        if len(subject) > 64 or not subject.isascii():  # emails and the like: fixed length
            subject = hashlib.sha256(subject.encode()).hexdigest()[:40]
        return f"{self.prefix}:{subject}:{start}"

    def count(self, subject: str) -> int:
        """Hits counted for ``subject`` in the current window."""
        start, _remaining = self._window()
        key = self._key(subject, start)
        if store() == "cache":
            return cache.get(key, 0)
        # Raw and by primary key: this runs before every portal page (~20 us on SQLite against
        # ~450 us through the ORM's queryset machinery).
        with connection.cursor() as cursor:
            cursor.execute(_READ, [key])
            found = cursor.fetchone()
        return found[0] if found else 0

    def retry_after(self, subject: str, limit: int) -> int | None:
        """Seconds until ``subject`` may go on, or None while it is under ``limit``."""
        if limit <= 0:
            return None
        if self.count(subject) < limit:
            return None
        _start, remaining = self._window()
        return max(1, math.ceil(remaining))

    def take(self, subject: str, limit: int) -> int | None:
        """Count one hit and answer like retry_after for it: atomic, so N requests at once
        cannot all slip in under the limit (the count is the upsert's own result)."""
        if limit <= 0:
            return None
        if self.hit(subject) <= limit:
            return None
        _start, remaining = self._window()
        return max(1, math.ceil(remaining))

    def hit(self, subject: str) -> int:
        """Count one hit for ``subject`` in the current window; returns the new count."""
        start, _remaining = self._window()
        key = self._key(subject, start)
        if store() == "database":
            return _db_hit(key, start + self.seconds)
        # add() is a no-op when the key exists, so concurrent first hits do not reset it.
        cache.add(key, 0, timeout=self.seconds * 2)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=self.seconds * 2)
            return 1

    def clear(self, subject: str) -> None:
        """Forget ``subject``'s hits in the current window (a successful sign-in)."""
        start, _remaining = self._window()
        key = self._key(subject, start)
        if store() == "cache":
            cache.delete(key)
        else:
            RateCounter.objects.filter(key=key).delete()
