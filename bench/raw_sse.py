"""The ceiling for bench/fanout.py: about the least an ASGI SSE server can be.

GET /sub/<claim> opens a stream; POST /pub/<claim>/<seq> writes one event of the same shape
as Claimory's stage event to every stream of that claim. No database, no checks.
"""

import asyncio
from collections import defaultdict

channels: dict[str, set[asyncio.Queue]] = defaultdict(set)
FRAME = 'id: %s\nevent: stage\ndata: {"from":"teardown","to":"started","to_name":"Started"}\n\n'


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    parts = scope["path"].split("/")
    if scope["method"] == "POST":
        frame = (FRAME % parts[3]).encode()
        for queue in channels[parts[2]]:
            queue.put_nowait(frame)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    queue: asyncio.Queue = asyncio.Queue()
    channels[parts[2]].add(queue)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/event-stream")]})
    await send({"type": "http.response.body", "body": b"retry: 3000\n\n", "more_body": True})
    try:
        while True:
            await send({"type": "http.response.body", "body": await queue.get(),
                        "more_body": True})
    finally:
        channels[parts[2]].discard(queue)
