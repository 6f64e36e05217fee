"""The bytes of the event stream: SSE frames, the retry hint, heartbeats and response headers.

Frames are built once per event per process (in the database thread) and the same bytes
object is written to every stream of the claim.
"""

from __future__ import annotations

import json
from typing import Any

from claimory.core.middleware import PORTAL_CSP

# Browsers reconnect after this many ms when a stream ends or drops.
RETRY_MS = 3000
RETRY = b"retry: %d\n\n" % RETRY_MS
HEARTBEAT = b":\n\n"

_PORTAL_HEADERS = [
    (b"referrer-policy", b"no-referrer"),
    (b"x-robots-tag", b"noindex, nofollow"),
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", PORTAL_CSP.encode()),
]
STREAM_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache, no-store, private"),
    # nginx would otherwise buffer the stream until its buffer fills.
    (b"x-accel-buffering", b"no"),
    *_PORTAL_HEADERS,
]
ERROR_HEADERS = [
    (b"content-type", b"text/plain; charset=utf-8"),
    (b"cache-control", b"private, no-store"),
    *_PORTAL_HEADERS,
]


def encode_event(seq: int, name: str, data: dict[str, Any]) -> bytes:
    """One SSE frame. JSON escapes newlines, so ``data`` always fits on one line."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"id: {seq}\nevent: {name}\ndata: {payload}\n\n".encode()
