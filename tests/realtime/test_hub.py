"""The per-process fan-out, in-process with a fake event table: wake-ups, reads, heartbeats."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

from claimory.realtime import endpoint, notifier, store
from claimory.realtime import hub as hubs
from claimory.realtime.streams import MAX_PENDING_BYTES
from claimory.realtime.wire import HEARTBEAT, encode_event
from tests.realtime.live import in_own_loop

TOKEN_HASH = "a" * 64


class FakeTable:
    """Stands in for store: events per claim, and a log of every read the hub makes."""

    def __init__(self):
        self.events: dict[int, list[tuple[int, str, bool, dict]]] = {}
        self.token_hash: dict[int, str | None] = {}
        self.reads: list[dict[int, int]] = []
        self.fail_next = 0
        self.gate: threading.Event | None = None  # set: reads wait until it is released

    def add(self, claim_id, type_="stage", visible=True, **data) -> int:
        rows = self.events.setdefault(claim_id, [])
        rows.append((len(rows) + 1, type_, visible, data))
        return len(rows)

    def _frames(self, claim_id, after):
        return [(seq, encode_event(seq, t, d) if visible else None)
                for seq, t, visible, d in self.events.get(claim_id, []) if seq > after]

    def stream_admit(self, token, after, client_ip):
        claim_id = int(token)
        frames = self._frames(claim_id, after)
        last = frames[-1][0] if frames else after
        return store.Opened(claim_id=claim_id,
                            access=store.Access(self.token_hash.get(claim_id, TOKEN_HASH), None),
                            cursor=last, claim_seq=len(self.events.get(claim_id, [])),
                            replay=b"".join(f for _s, f in frames if f))

    def claims_fetch(self, cursors, limit=200):
        self.reads.append(dict(cursors))
        if self.gate is not None:
            self.gate.wait(5)
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("database went away")
        return {claim_id: self._fetch(claim_id, after) for claim_id, after in cursors.items()}

    def _fetch(self, claim_id, after):
        frames = self._frames(claim_id, after)
        access = None
        if any(t == "portal" for s, t, _v, _d in self.events[claim_id] if s > after):
            access = store.Access(self.token_hash.get(claim_id), None)
        return store.Fetched(frames=frames, last_seq=frames[-1][0] if frames else after,
                             access=access)

    def events_poll(self, high):
        return [], 0


class Sink:
    """An ASGI ``send`` that records bodies; ``stall`` makes it hang like a full socket."""

    def __init__(self, stall: bool = False):
        self.bodies: list[bytes] = []
        self.finished = False
        self.stall = stall

    async def __call__(self, message):
        if self.stall:
            await asyncio.Event().wait()
        if message["type"] != "http.response.body":
            return
        if message.get("more_body", False):
            self.bodies.append(message["body"])
        else:
            self.finished = True


@contextlib.asynccontextmanager
async def running_hub(monkeypatch, heartbeat_seconds: float = 3600):
    running = hubs.Hub(loop=asyncio.get_running_loop(), db=FakeTable(), poll_seconds=0,
                       heartbeat_seconds=heartbeat_seconds)
    running.start()
    monkeypatch.setattr(hubs, "_hub", running)
    try:
        yield running
    finally:
        await running.stop()


async def _attach(hub, claim_id, after=0, sink=None):
    sink = sink or Sink()
    opened = await hub.admit(str(claim_id), after, "127.0.0.1")
    stream = hub.stream_new(sink, opened)
    hub.add(stream, opened.claim_seq)
    return stream, sink


async def _until(condition, timeout=2.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


@in_own_loop
async def test_publish_from_another_thread_wakes_every_stream_with_one_read(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        table.add(1, "created", stage="pictures")
        table.add(2, "created", stage="pictures")
        sinks = [(await _attach(hub, 1, after=1))[1] for _ in range(3)]
        _, bystander = await _attach(hub, 2, after=1)
        seq = table.add(1, to="teardown")

        threading.Thread(target=notifier.publish, args=(1, seq)).start()
        await _until(lambda: all(s.bodies for s in sinks))

        assert table.reads == [{1: 1}]
        assert sinks[0].bodies[0] == encode_event(2, "stage", {"to": "teardown"})
        assert sinks[0].bodies[0] is sinks[1].bodies[0] is sinks[2].bodies[0], "encoded once"
        assert bystander.bodies == []


@in_own_loop
async def test_repeated_and_stale_doorbells_cause_no_extra_reads(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        table.add(1, "created")
        _, sink = await _attach(hub, 1, after=1)
        seq = table.add(1, to="estimate")
        for _ in range(5):
            hub.ring(1, seq)
        hub.ring(1, 1)
        hub.ring(99, 7)  # nobody is watching claim 99
        await _until(lambda: sink.bodies)
        await asyncio.sleep(0.05)
        assert table.reads == [{1: 1}]
        assert len(sink.bodies) == 1


@in_own_loop
async def test_doorbells_that_ring_during_a_read_share_the_next_read(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        sinks = {}
        for claim_id in (1, 2, 3):
            table.add(claim_id, "created")
            sinks[claim_id] = (await _attach(hub, claim_id, after=1))[1]
        table.gate = threading.Event()
        hub.ring(1, table.add(1, to="estimate"))
        await _until(lambda: len(table.reads) == 1)
        hub.ring(2, table.add(2, to="estimate"))
        hub.ring(3, table.add(3, to="estimate"))
        table.gate.set()
        await _until(lambda: all(sink.bodies for sink in sinks.values()))
        assert table.reads == [{1: 1}, {2: 1, 3: 1}]


@in_own_loop
async def test_hidden_events_move_the_cursor_but_send_no_bytes(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        table.add(1, "created")
        stream, sink = await _attach(hub, 1, after=1)
        table.add(1, "note", visible=False, body="internal")
        seq = table.add(1, to="teardown")
        hub.ring(1, seq)
        await _until(lambda: stream.cursor == 3)
        assert sink.bodies == [encode_event(3, "stage", {"to": "teardown"})]


@in_own_loop
async def test_stream_joining_after_a_fanout_catches_up_from_its_own_cursor(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        table.add(1, "created")
        early, early_sink = await _attach(hub, 1, after=1)
        table.add(1, to="estimate")
        opened_before_change = await hub.admit("1", 2, "127.0.0.1")
        table.add(1, to="teardown")
        hub.ring(1, 3)
        await _until(lambda: early.cursor == 3)
        late_sink = Sink()
        late = hub.stream_new(late_sink, opened_before_change)
        hub.add(late, opened_before_change.claim_seq)  # its replay ended at 2; 3 went out already
        await _until(lambda: late.cursor == 3)
        assert late_sink.bodies == [encode_event(3, "stage", {"to": "teardown"})]
        assert b"".join(early_sink.bodies).count(b"id: ") == 2, "nothing twice for the early one"


@in_own_loop
async def test_rotated_token_closes_streams_opened_with_the_old_one(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        table.add(1, "created")
        _, old = await _attach(hub, 1, after=1)
        table.token_hash[1] = "b" * 64
        _, new = await _attach(hub, 1, after=1)
        seq = table.add(1, "portal", visible=False, action="rotated")
        hub.ring(1, seq)
        await _until(lambda: old.finished)
        assert not new.finished
        assert hub.stream_count() == 2, "removal is the handler's job once receive() returns"


@in_own_loop
async def test_idle_streams_get_heartbeats_and_expired_ones_are_closed(monkeypatch):
    table = FakeTable()
    table.add(1, "created")
    running = hubs.Hub(loop=asyncio.get_running_loop(), db=table, poll_seconds=0,
                       heartbeat_seconds=0.15)
    running.start()
    try:
        live, live_sink = await _attach(running, 1, after=1)
        expired, expired_sink = await _attach(running, 1, after=1)
        expired.expires_at = time.time() - 1
        await _until(lambda: HEARTBEAT in live_sink.bodies and expired_sink.finished)
        assert HEARTBEAT not in expired_sink.bodies
    finally:
        await running.stop()


@in_own_loop
async def test_a_stream_that_just_got_an_event_skips_the_next_heartbeat(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        hub.db.add(1, "created")
        stream, sink = await _attach(hub, 1, after=1)
        stream.heartbeat(HEARTBEAT)  # first round: not known to be quiet yet
        hub.ring(1, hub.db.add(1, to="estimate"))
        await _until(lambda: sink.bodies)
        stream.heartbeat(HEARTBEAT)  # just talked: no comment needed
        stream.heartbeat(HEARTBEAT)  # silent for a whole round: comment
        await _until(lambda: len(sink.bodies) == 2)
        assert sink.bodies == [encode_event(2, "stage", {"to": "estimate"}), HEARTBEAT]


@in_own_loop
async def test_a_stalled_client_is_dropped_without_holding_up_the_others(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        table.add(1, "created")
        stalled, stalled_sink = await _attach(hub, 1, after=1, sink=Sink(stall=True))
        _, healthy = await _attach(hub, 1, after=1)
        big = "x" * 4096
        count = MAX_PENDING_BYTES // 4096 + 5
        for _ in range(count):
            hub.ring(1, table.add(1, "message", body=big))
            await asyncio.sleep(0)
        await _until(lambda: b"".join(healthy.bodies).count(b"event: message") == count)
        assert stalled.state != 0 and stalled.pending is None


@in_own_loop
async def test_a_failed_read_is_retried_and_nothing_is_lost(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        table.add(1, "created")
        _, sink = await _attach(hub, 1, after=1)
        table.fail_next = 1
        hub.ring(1, table.add(1, to="estimate"))
        await _until(lambda: sink.bodies, timeout=3)
        assert table.reads == [{1: 1}, {1: 1}]


@in_own_loop
async def test_handler_returns_and_forgets_the_stream_when_the_client_leaves(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        table.add(7, "created", stage="pictures")
        monkeypatch.setattr(hubs, "hub_for_running_loop", lambda: hub)
        left = asyncio.Event()
        sink = Sink()

        async def receive():
            if not left.is_set():
                await left.wait()
            return {"type": "http.disconnect"}

        scope = {"type": "http", "method": "GET", "path": "/c/7/events", "headers": [],
                 "query_string": b"", "client": ("127.0.0.1", 5000)}
        handler = asyncio.create_task(endpoint.event_stream(scope, receive, sink, "7"))
        await _until(lambda: hub.stream_count() == 1)
        assert b"event: created" in sink.bodies[0]
        left.set()
        await asyncio.wait_for(handler, 1)
        assert hub.stream_count() == 0 and hub.channels == {}


@in_own_loop
async def test_a_burst_of_connects_is_checked_in_batches_each_getting_its_own_answer(
        monkeypatch):
    batches: list[int] = []
    real_admit_each = hubs._admit_each

    def recording(admit, batch):
        batches.append(len(batch))
        time.sleep(0.02)  # a slow database: the next connects queue up meanwhile
        return real_admit_each(admit, batch)

    monkeypatch.setattr(hubs, "_admit_each", recording)
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        for claim_id in range(1, 101):
            table.add(claim_id, "created", stage="pictures")
        opened = await asyncio.gather(*(hub.admit(str(claim_id), 0, "127.0.0.1")
                                        for claim_id in range(1, 101)))
        assert [o.claim_id for o in opened] == list(range(1, 101))
        assert all(b"event: created" in o.replay for o in opened)
        assert sum(batches) == 100
        assert len(batches) <= 2 * (100 // hubs.ADMIT_BATCH + 1)  # not one hop per connect
        assert max(batches) == hubs.ADMIT_BATCH
        # Drained: a later lone connect is answered straight away, in a batch of its own.
        batches.clear()
        assert (await hub.admit("5", 1, "127.0.0.1")).replay == b""
        assert batches == [1]


@in_own_loop
async def test_a_failing_connect_fails_alone_within_its_batch(monkeypatch):
    async with running_hub(monkeypatch) as hub:
        table = hub.db
        real = table.stream_admit

        def flaky(token, after, client_ip):
            if token == "13":
                raise ConnectionError("database went away")
            return real(token, after, client_ip)

        table.stream_admit = flaky
        results = await asyncio.gather(*(hub.admit(str(n), 0, "127.0.0.1")
                                         for n in (12, 13, 14)), return_exceptions=True)
        assert isinstance(results[1], ConnectionError)
        assert [results[0].claim_id, results[2].claim_id] == [12, 14]
