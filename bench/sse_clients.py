"""Load-generator process for bench/fanout.py: many SSE connections on raw asyncio sockets.

Reads one JSON line on stdin ({"port", "conns": [[claim, path], ...]}), opens every connection
(a bounded number at a time), prints {"ready": ...}, records the arrival time of every event
id, and on a second stdin line prints every connection's receipts as JSON and exits.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
import threading
import time

CONNECT_AT_ONCE = 200


class SSEProtocol(asyncio.Protocol):
    """Finds "id: N" lines in the chunked stream and stamps them on arrival."""

    def __init__(self, request: bytes, head_seen: asyncio.Future):
        self.request = request
        self.head_seen = head_seen
        self.head = b""
        self.tail = b""
        self.receipts: list[tuple[int, float]] = []
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        if not self.head_seen.done():
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            head, data = self.head.split(b"\r\n\r\n", 1)
            self.head = b""
            self.head_seen.set_result(int(head.split(b" ", 2)[1]))
        buf = self.tail + data
        while True:
            start = buf.find(b"id: ")
            if start < 0:
                self.tail = buf[-8:]
                return
            end = buf.find(b"\n", start)
            if end < 0:
                self.tail = buf[start:]
                return
            self.receipts.append((int(buf[start + 4:end]), now))
            buf = buf[end + 1:]

    def connection_lost(self, exc):
        if not self.head_seen.done():
            self.head_seen.set_result(0)


async def _open(loop, port: int, path: str, gate: asyncio.Semaphore):
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
               ).encode()
    async with gate:
        head_seen = loop.create_future()
        try:
            _transport, proto = await asyncio.wait_for(
                loop.create_connection(lambda: SSEProtocol(request, head_seen), "127.0.0.1",
                                       port), 30)
            status = await asyncio.wait_for(head_seen, 60)
        except (TimeoutError, OSError):
            return None
    return proto if status == 200 else None


async def run(config: dict) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    protos = await asyncio.gather(*(_open(loop, config["port"], path, gate)
                                    for _claim, path in config["conns"]))
    connected = sum(1 for p in protos if p is not None)
    print(json.dumps({"ready": True, "connected": connected,
                      "failed": len(protos) - connected}), flush=True)
    threading.Thread(target=lambda: (sys.stdin.readline(), loop.call_soon_threadsafe(stop.set)),
                     daemon=True).start()
    await stop.wait()
    out = [[claim, proto.receipts] for (claim, _path), proto in zip(config["conns"], protos,
                                                                     strict=True)
           if proto is not None]
    for proto in protos:
        if proto is not None and proto.transport is not None:
            proto.transport.close()
    print(json.dumps({"conns": out}), flush=True)


def main() -> None:
    # A collector pause here would show up as server latency: this short-lived process
    # frees nothing worth collecting, so it runs without the cyclic GC.
    gc.disable()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    config = json.loads(sys.stdin.readline())
    try:
        import uvloop

        uvloop.run(run(config))
    except ImportError:
        asyncio.run(run(config))


if __name__ == "__main__":
    main()
