"""Counting portal page views without slowing the page.

The page is mostly answered from a per-process cache before Django runs (portal/fast_page.py)
so a database write per view would cost more than the page. ``record`` only bumps an
in-memory counter under a lock; a timer thread writes the pending counts every
``FLUSH_SECONDS`` with one atomic upsert per (claim, hour): ``views = views + n``, so several
processes add up correctly without reading first. Counts are best effort: a crash loses at
most the last few seconds of views, which a report can live with (nothing durable hangs on
them). Tests flush explicitly (no timer thread runs under tests).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from claimory.claims.models import Claim
from claimory.reports.models import PortalView

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 10.0
MAX_PENDING = 50_000  # keys kept when the database is down; beyond that, views are dropped

_lock = threading.Lock()
_pending: Counter[tuple[int, dt.datetime]] = Counter()
_timer: threading.Timer | None = None


def record(claim_id: int, at: dt.datetime | None = None) -> None:
    """One view of ``claim_id``'s portal page (safe to call from the event loop)."""
    global _timer
    hour = (at or timezone.now()).astimezone(dt.UTC).replace(minute=0, second=0,
                                                             microsecond=0)
    with _lock:
        if len(_pending) < MAX_PENDING or (claim_id, hour) in _pending:
            _pending[(claim_id, hour)] += 1
        if _timer is None and not settings.TESTING:
            _timer = threading.Timer(FLUSH_SECONDS, _flush_from_timer)
            _timer.daemon = True
            _timer.start()


def pending() -> int:
    with _lock:
        return sum(_pending.values())


def _take() -> Counter[tuple[int, dt.datetime]]:
    global _pending
    with _lock:
        batch, _pending = _pending, Counter()
    return batch


def _sql() -> str:
    table, claims = PortalView._meta.db_table, Claim._meta.db_table
    # Through the claim table: a claim deleted since the view is skipped, not an error.
    return (f"INSERT INTO {table} (claim_id, hour, views, created_at, updated_at) "  # noqa: S608
            f"SELECT id, %s, %s, %s, %s FROM {claims} WHERE id = %s "
            f"ON CONFLICT (claim_id, hour) DO UPDATE SET "
            f"views = {table}.views + excluded.views, updated_at = excluded.updated_at")


def flush() -> int:
    """Write every pending count; returns how many views were written."""
    batch = _take()
    if not batch:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [(connection.ops.adapt_datetimefield_value(hour), n, now, now, claim_id)
              for (claim_id, hour), n in sorted(batch.items())]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(_sql(), params)
    except Exception:
        logger.exception("portal view counts not written; keeping them for the next flush")
        with _lock:
            if len(_pending) < MAX_PENDING:
                _pending.update(batch)
        return 0
    return sum(batch.values())


def _flush_from_timer() -> None:
    global _timer
    with _lock:
        _timer = None
    try:
        flush()
    finally:
        connection.close()  # this thread's own connection; the next timer opens another


def discard() -> None:
    """Forget pending counts (tests)."""
    _take()
