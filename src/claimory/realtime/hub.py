"""The one fan-out of a server process: claim id -> open streams, fed from the event table.

A notification (in-process, Redis, PostgreSQL, or the poll) only says "claim C has events up to
seq S". The hub then reads the new events of every claim that rang — one query, in a one-thread
pool, however many claims rang meanwhile — encodes each event once, and hands the same bytes to
every stream of its claim. The table is the truth; a lost or duplicated notification changes
nothing but timing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from typing import Any

from django.conf import settings

from claimory.core.db_pool import ReleasingExecutor
from claimory.realtime import store
from claimory.realtime.backends import Backend, get_backend
from claimory.realtime.streams import Stream
from claimory.realtime.wire import HEARTBEAT

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
# Heartbeats go to one bucket per tick, so 10,000 streams cost ~70 writes every 0.1 s rather
# than a burst of 10,000 that would hold up event delivery.
BUCKETS = 150
# Streams end after about this long so access is re-checked and load rebalances; the browser
# reconnects with Last-Event-ID and loses nothing.
MAX_STREAM_SECONDS = 1800
LATEST_MEMORY = 20_000  # claims whose newest seq we remember without a stream open
# Connects are checked in batches: a thread hop costs more than the token check itself, and
# after a deploy thousands of browsers reconnect at once (see Hub.admit).
ADMIT_THREADS = 2
ADMIT_BATCH = 64


class Channel:
    __slots__ = ("streams", "target")

    def __init__(self, target: int):
        self.streams: set[Stream] = set()
        self.target = target  # newest seq known to exist for this claim


class Hub:
    def __init__(self, *, loop: asyncio.AbstractEventLoop, db: Any = store,
                 backend: Backend | None = None, poll_seconds: float = 0.5,
                 heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 max_stream_seconds: float = MAX_STREAM_SECONDS):
        self.loop = loop
        self.db = db
        self.backend = backend
        self.poll_seconds = poll_seconds
        self.tick_seconds = heartbeat_seconds / BUCKETS
        self.max_stream_seconds = max_stream_seconds
        self.channels: dict[int, Channel] = {}
        self.latest: dict[int, int] = {}
        self.buckets: list[set[Stream]] = [set() for _ in range(BUCKETS)]
        self._counter = itertools.count()
        self._due: set[int] = set()  # claims whose streams are behind their target
        self._wake = asyncio.Event()
        # Separate pools so a storm of connects never delays the fan-out reads.
        # One checkout per batch of connects on PostgreSQL (ReleasingExecutor gives it back).
        self._admit_pool = ReleasingExecutor(ADMIT_THREADS, thread_name_prefix="realtime-admit")
        self._admissions: deque[tuple[str, int, str, asyncio.Future]] = deque()
        self._admitting = 0  # batches in the pool now
        self._fanout_pool = ReleasingExecutor(1, thread_name_prefix="realtime-fanout")
        self._tasks: list[asyncio.Task] = []

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [self.loop.create_task(self._fanout_loop()),
                       self.loop.create_task(self._tick_loop())]
        if self.poll_seconds > 0:
            self._tasks.append(self.loop.create_task(self._poll_loop()))
        if self.backend is not None:
            self._tasks.append(self.loop.create_task(self.backend.listen(self.ring)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for channel in list(self.channels.values()):
            for stream in list(channel.streams):
                stream.close()
        self._admit_pool.shutdown(wait=False, cancel_futures=True)
        self._fanout_pool.shutdown(wait=False, cancel_futures=True)

    def stream_count(self) -> int:
        return sum(len(bucket) for bucket in self.buckets)

    # -- doorbell -------------------------------------------------------------------------

    def ring_threadsafe(self, claim_id: int, seq: int) -> None:
        """From any thread (e.g. a sync view's on_commit): wake the loop."""
        self.loop.call_soon_threadsafe(self.ring, claim_id, seq)

    def ring(self, claim_id: int, seq: int) -> None:
        """Claim ``claim_id`` has events up to ``seq`` (on the loop thread; idempotent)."""
        if seq > self.latest.get(claim_id, 0):
            if len(self.latest) >= LATEST_MEMORY:
                self.latest.clear()
            self.latest[claim_id] = seq
        channel = self.channels.get(claim_id)
        if channel is None or seq <= channel.target:
            return
        channel.target = seq
        self._kick(claim_id)

    # -- streams --------------------------------------------------------------------------

    async def admit(self, token: str, after: int, client_ip: str) -> store.Opened | int | None:
        """Check a token and read its replay, in a batch with whatever else is connecting.

        One pool call serves every connect that queued while the previous batch ran, so a
        reconnect storm pays one thread hop per batch, not per stream; a lone connect is
        sent at once (no waiting for company).
        """
        future = self.loop.create_future()
        self._admissions.append((token, after, client_ip, future))
        if self._admitting < ADMIT_THREADS:
            self._admitting += 1
            self.loop.create_task(self._admit_batches())
        return await future

    async def _admit_batches(self) -> None:
        try:
            while self._admissions:
                batch = [self._admissions.popleft()
                         for _ in range(min(ADMIT_BATCH, len(self._admissions)))]
                try:
                    results = await self.loop.run_in_executor(
                        self._admit_pool, _admit_each, self.db.stream_admit,
                        [item[:3] for item in batch])
                except Exception as exc:  # noqa: BLE001 - the pool is gone (shutting down)
                    results = [(False, exc)] * len(batch)
                for (*_args, future), (ok, value) in zip(batch, results, strict=True):
                    if future.done():  # the client left while waiting
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self._admitting -= 1

    def stream_new(self, send, opened: store.Opened) -> Stream:
        n = next(self._counter)
        return Stream(
            send, claim_id=opened.claim_id, cursor=opened.cursor,
            token_hash=opened.access.token_hash, expires_at=opened.access.expires_at,
            deadline=time.monotonic() + self.max_stream_seconds + n % 300,  # spread reconnects
            bucket=n % BUCKETS,
        )

    def add(self, stream: Stream, claim_seq: int) -> None:
        """Start feeding ``stream``; events committed since its replay are caught up here."""
        channel = self.channels.get(stream.claim_id)
        if channel is None:
            channel = self.channels[stream.claim_id] = Channel(stream.cursor)
        channel.streams.add(stream)
        self.buckets[stream.bucket].add(stream)
        known = max(claim_seq, self.latest.get(stream.claim_id, 0))
        channel.target = max(channel.target, known)
        if stream.cursor < channel.target:
            self._kick(stream.claim_id)

    def remove(self, stream: Stream) -> None:
        self.buckets[stream.bucket].discard(stream)
        channel = self.channels.get(stream.claim_id)
        if channel is not None:
            channel.streams.discard(stream)
            if not channel.streams:
                del self.channels[stream.claim_id]

    # -- fan-out --------------------------------------------------------------------------

    def _kick(self, claim_id: int) -> None:
        self._due.add(claim_id)
        self._wake.set()

    async def _fanout_loop(self) -> None:
        """One read at a time for every claim that rang meanwhile; doorbells batch up."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            cursors = self._cursors_due()
            if not cursors:
                continue
            targets = {cid: self.channels[cid].target for cid in cursors}
            try:
                fetched = await self.loop.run_in_executor(
                    self._fanout_pool, self.db.claims_fetch, cursors)
            except Exception:  # noqa: BLE001 - database trouble: retry; streams stay open
                logger.warning("event fan-out read failed; retrying", exc_info=True)
                self.loop.call_later(1.0, self._retry, list(cursors))
                continue
            for claim_id, since in cursors.items():
                self._deliver(claim_id, since, targets[claim_id], fetched.get(claim_id))

    def _cursors_due(self) -> dict[int, int]:
        cursors = {}
        for claim_id in self._due:
            channel = self.channels.get(claim_id)
            if channel is not None and channel.streams:
                since = min(stream.cursor for stream in channel.streams)
                if since < channel.target:
                    cursors[claim_id] = since
        self._due.clear()
        return cursors

    def _deliver(self, claim_id: int, since: int, target: int,
                 fetched: store.Fetched | None) -> None:
        channel = self.channels.get(claim_id)
        if channel is None:
            return
        if fetched is None:  # not reached in this read's row limit
            self._kick(claim_id)
            return
        if fetched.access is not None:
            self._access_apply(channel, fetched.access)
        if not fetched.frames and channel.target == target:
            channel.target = since  # the doorbell overstated; nothing newer exists
            return
        channel.target = max(channel.target, fetched.last_seq)
        for stream in list(channel.streams):
            stream.deliver(fetched.frames, since, fetched.last_seq)
        if min((s.cursor for s in channel.streams), default=channel.target) < channel.target:
            self._kick(claim_id)

    def _retry(self, claim_ids: list[int]) -> None:
        for claim_id in claim_ids:
            self._kick(claim_id)

    @staticmethod
    def _access_apply(channel: Channel, access: store.Access) -> None:
        for stream in list(channel.streams):
            if stream.token_hash != access.token_hash:
                stream.close()  # rotated or revoked: this link no longer opens the claim
            else:
                stream.expires_at = access.expires_at

    # -- timers ---------------------------------------------------------------------------

    async def _tick_loop(self) -> None:
        for tick in itertools.count():
            await asyncio.sleep(self.tick_seconds)
            now, wall = time.monotonic(), time.time()
            for stream in list(self.buckets[tick % BUCKETS]):
                expired = stream.expires_at is not None and wall >= stream.expires_at
                if expired or now >= stream.deadline:
                    stream.close()
                else:
                    stream.heartbeat(HEARTBEAT)

    async def _poll_loop(self) -> None:
        """The catch-up: every process reads the newest events a few times a second."""
        high: int | None = None
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                newest, high = await self.loop.run_in_executor(
                    self._fanout_pool, self.db.events_poll, high)
            except Exception:  # noqa: BLE001 - a database blip: poll again next time
                logger.warning("event poll failed", exc_info=True)
                continue
            for claim_id, seq in newest:
                self.ring(claim_id, seq)


def _admit_each(admit, batch: list[tuple[str, int, str]]) -> list[tuple[bool, Any]]:
    """Run ``admit`` for each connect of a batch (in the pool); one failure stays its own."""
    results: list[tuple[bool, Any]] = []
    for args in batch:
        try:
            results.append((True, admit(*args)))
        except Exception as exc:  # noqa: BLE001 - handed to that connect's handler (a 503)
            results.append((False, exc))
    return results


_hub: Hub | None = None


def current() -> Hub | None:
    return _hub


def hub_for_running_loop() -> Hub:
    """This process's hub, started on first use (uvicorn runs with lifespan off)."""
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        _hub = Hub(loop=loop, backend=get_backend(),
                   poll_seconds=settings.REALTIME_POLL_MS / 1000)
        _hub.start()
    return _hub
