"""Staff real time: one poller per process feeds every open back-office event stream.

Staff are few (tens per process), so unlike the portal's hub there are no per-claim channels:
one asyncio task reads new timeline events a couple of times a second, encodes each once, and
offers it to every open staff stream whose user works at that event's location. Inbox changes
(read, done, assigned, seen) are timeline events too (staff-only), so the one table is the
truth: a stream that reconnects with Last-Event-ID (the ClaimEvent id) gets what it missed
replayed from it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Max
from django.utils import timezone

from claimory.claims.event_types import kind_of
from claimory.claims.models import ClaimEvent
from claimory.core.db_pool import ReleasingExecutor
from claimory.realtime import notifier

logger = logging.getLogger(__name__)

# PostgreSQL hands out ids before commit, so a lower id can commit after a higher one was
# read: every poll also re-reads this recent window and drops what it already sent.
RECHECK = dt.timedelta(seconds=5)
REPLAY_WINDOW = dt.timedelta(minutes=10)
REPLAY_LIMIT = 500
BATCH = 500
# A stream this far behind is ended; the browser reconnects and replays from the table.
BACKLOG_LIMIT = 1000
HEARTBEAT_SECONDS = 15.0
# Streams end after this long so a changed membership or location list is re-read on reconnect.
MAX_STREAM_SECONDS = 600

RETRY = b"retry: 3000\n\n"
HEARTBEAT = b": keep-alive\n\n"

_FIELDS = ("id", "claim_id", "claim__location_id", "seq", "type", "channel", "actor_id",
           "actor_label", "data", "created_at")


def _frame(payload: dict[str, Any], event_id: int | None = None) -> bytes:
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}data: {data}\n\n".encode()


def event_frame(row: tuple) -> tuple[int, int, bytes]:
    """(location id, event id, SSE frame) for one ClaimEvent row read with ``_FIELDS``."""
    event_id, claim_id, location_id, seq, kind, channel, actor_id, actor_label, data, at = row
    data = data or {}
    spec = kind_of(kind)
    payload: dict[str, Any] = {
        "kind": "event", "id": event_id, "claim": claim_id, "location": location_id,
        "seq": seq, "type": kind, "channel": channel, "actor": actor_id, "at": at.isoformat(),
        # What open pages do with it, from the type's definition: live.js keeps no type list.
        "card": bool(spec and spec.board_card), "inbox": bool(spec and spec.inbox),
    }
    if spec is not None and spec.feed_extra is not None:
        payload.update(spec.feed_extra(data, actor_label))
    return location_id, event_id, _frame(payload, event_id)


def _reconnecting(fn):
    """Drop a broken connection of the feed's thread so the next call opens a fresh one."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (OperationalError, InterfaceError):
            connection.close()
            raise

    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


def _close_connection() -> None:
    connection.close()  # the calling thread's own connection, looked up in that thread


class Reader:
    """The poll's database side; runs only in the feed's one thread, so it keeps plain state."""

    def __init__(self) -> None:
        self.high: int | None = None  # highest ClaimEvent id read
        self.started = timezone.now()
        self.seen: dict[tuple, dt.datetime] = {}

    def reset(self) -> None:
        """Nobody is listening: start again from "now" when someone is."""
        self.high = None
        self.seen.clear()

    @_reconnecting
    def prime(self) -> None:
        """Learn where "now" is; a stream primes before its replay so the two overlap."""
        if self.high is None:
            self.started = timezone.now()
            self.high = ClaimEvent.objects.aggregate(top=Max("id"))["top"] or 0

    @_reconnecting
    def read(self) -> list[tuple[int, int, bytes]]:
        if self.high is None:
            self.prime()
            return []
        now = timezone.now()
        recheck = max(now - RECHECK, self.started)
        items = self._new_events(now) + self._late_events(now, recheck)
        cutoff = now - 3 * RECHECK
        self.seen = {key: at for key, at in self.seen.items() if at >= cutoff}
        return items

    def _first_time(self, key: tuple, now: dt.datetime) -> bool:
        if key in self.seen:
            return False
        self.seen[key] = now
        return True

    def _new_events(self, now: dt.datetime) -> list:
        rows = list(ClaimEvent.objects.filter(id__gt=self.high).order_by("id")
                    .values_list(*_FIELDS)[:BATCH])
        if rows:
            self.high = rows[-1][0]
        return [event_frame(row) for row in rows if self._first_time(("e", row[0]), now)]

    def _late_events(self, now: dt.datetime, recheck: dt.datetime) -> list:
        """Rows under the high-water id that committed after we read past them."""
        recent = (ClaimEvent.objects.filter(id__lte=self.high, created_at__gt=recheck)
                  .values_list("id", flat=True)[:BATCH * 4])
        late = [event_id for event_id in recent if ("e", event_id) not in self.seen]
        if not late:
            return []
        rows = ClaimEvent.objects.filter(id__in=late).order_by("id").values_list(*_FIELDS)
        return [event_frame(row) for row in rows if self._first_time(("e", row[0]), now)]


@_reconnecting
def replay_read(locations: Iterable[int], *, after: int | None,
                since: dt.datetime | None) -> tuple[bytes, set[int]]:
    """Events of these locations after event id ``after`` (or created after ``since``), within
    the replay window, oldest first: the frames and their ids."""
    if after is None and since is None:
        return b"", set()
    floor = timezone.now() - REPLAY_WINDOW
    qs = ClaimEvent.objects.filter(claim__location_id__in=list(locations),
                                   created_at__gte=max(floor, since or floor))
    if after is not None:
        qs = qs.filter(id__gt=after)
    frames = [event_frame(row) for row in qs.order_by("id").values_list(*_FIELDS)[:REPLAY_LIMIT]]
    return b"".join(frame for _loc, _id, frame in frames), {event_id for _l, event_id, _f in frames}


class Subscriber:
    """One open staff stream: the locations it may hear about and the frames waiting for it."""

    __slots__ = ("locations", "frames", "ready", "overflow", "skip")

    def __init__(self, locations: Iterable[int]):
        self.locations = frozenset(locations)
        self.frames: deque[tuple[int | None, bytes]] = deque()
        self.ready = asyncio.Event()
        self.overflow = False
        self.skip: set[int] = set()  # event ids the replay already sent

    def offer(self, location_id: int, event_id: int | None, frame: bytes) -> None:
        if location_id not in self.locations or self.overflow:
            return
        if len(self.frames) >= BACKLOG_LIMIT:
            self.overflow = True
            self.frames.clear()
        else:
            self.frames.append((event_id, frame))
        self.ready.set()

    def take(self) -> bytes:
        """Everything waiting, minus events the replay has already sent."""
        chunk = b"".join(frame for event_id, frame in self.frames if event_id not in self.skip)
        self.frames.clear()
        self.ready.clear()
        return chunk


class StaffFeed:
    def __init__(self, *, loop: asyncio.AbstractEventLoop, poll_seconds: float):
        self.loop = loop
        self.poll_seconds = poll_seconds
        self.subscribers: set[Subscriber] = set()
        self.reader = Reader()
        self._wake = asyncio.Event()
        self._pool = ReleasingExecutor(1, thread_name_prefix="staff-feed")
        self._task: asyncio.Task | None = None
        self._failing = False
        notifier.hook_add(self.ring_threadsafe)

    def ring_threadsafe(self, claim_id: int, seq: int) -> None:
        """A change committed in this process: poll now instead of at the next tick."""
        self.loop.call_soon_threadsafe(self._wake.set)

    def subscribe(self, locations: Iterable[int]) -> Subscriber:
        subscriber = Subscriber(locations)
        self.subscribers.add(subscriber)
        if self._task is None or self._task.done():
            self._task = self.loop.create_task(self._run())
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    async def replay(self, locations: Iterable[int], *, after: int | None,
                     since: dt.datetime | None) -> tuple[bytes, set[int]]:
        """Prime the poll, then read the replay, in the feed's one thread and in that order:
        the live poll then starts at or before the replay's end, never after it."""
        def prime_and_read() -> tuple[bytes, set[int]]:
            self.reader.prime()
            return replay_read(locations, after=after, since=since)

        return await self._db(prime_and_read)

    async def _db(self, fn):
        """Run a database read in the feed's own thread (one connection, reads in order)."""
        return await self.loop.run_in_executor(self._pool, fn)

    async def poll_once(self) -> None:
        if not self.subscribers:
            await self._db(self.reader.reset)
            return
        try:
            items = await self._db(self.reader.read)
        except Exception:  # noqa: BLE001 - a database blip: the next poll catches up
            if not self._failing:
                logger.warning("staff feed poll failed; retrying", exc_info=True)
            self._failing = True
            return
        self._failing = False
        for location_id, event_id, frame in items:
            for subscriber in list(self.subscribers):
                subscriber.offer(location_id, event_id, frame)

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()
            await self.poll_once()

    async def stop(self) -> None:
        notifier.hook_remove(self.ring_threadsafe)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.loop.run_in_executor(self._pool, _close_connection)
        self._pool.shutdown(wait=False, cancel_futures=True)


_feed: StaffFeed | None = None


def feed_for_running_loop() -> StaffFeed:
    """This process's feed, started on first use on the server's event loop."""
    global _feed
    loop = asyncio.get_running_loop()
    if _feed is None or _feed.loop is not loop:
        if _feed is not None:
            notifier.hook_remove(_feed.ring_threadsafe)
        _feed = StaffFeed(loop=loop, poll_seconds=settings.REALTIME_POLL_MS / 1000)
    return _feed


async def stream(locations: Iterable[int], *, after: int | None, since: dt.datetime | None,
                 heartbeat: float = HEARTBEAT_SECONDS,
                 max_seconds: float = MAX_STREAM_SECONDS) -> AsyncIterator[bytes]:
    """The body of one staff stream: retry hint and replay, then live frames and heartbeats.

    Subscribes before reading the replay, so nothing committed in between is lost; what both
    deliver is sent once. Ends after ``max_seconds`` or when the client leaves.
    """
    feed = feed_for_running_loop()
    subscriber = feed.subscribe(locations)
    try:
        try:
            replay, subscriber.skip = await feed.replay(subscriber.locations, after=after,
                                                        since=since)
        except Exception:  # noqa: BLE001 - database down: end; the browser retries
            logger.warning("staff stream replay failed", exc_info=True)
            yield RETRY
            return
        yield RETRY + replay
        deadline = feed.loop.time() + max_seconds
        while not subscriber.overflow:
            remaining = deadline - feed.loop.time()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(subscriber.ready.wait(), min(heartbeat, remaining))
            except TimeoutError:
                if feed.loop.time() < deadline:
                    yield HEARTBEAT
                continue
            chunk = subscriber.take()
            if chunk:
                yield chunk
    except asyncio.CancelledError:
        logger.debug("staff stream closed by the client")
        raise
    finally:
        feed.unsubscribe(subscriber)
