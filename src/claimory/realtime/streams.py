"""One open event stream: its cursor, who may read it, and the bytes waiting to be written.

Kept deliberately small (slots, no per-stream queue or timer): ten thousand of these live in
one process. An idle stream owns no task; a writer task exists only while bytes are going out,
so a slow client never blocks the fan-out that feeds every other stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger(__name__)

# A client this far behind while its socket is full is dropped; it reconnects and replays
# from the table after the last event it really received.
MAX_PENDING_BYTES = 256 * 1024

OPEN, CLOSING, CLOSED = 0, 1, 2
_BODY = "http.response.body"

Send = Callable[[dict[str, Any]], Awaitable[None]]


class Stream:
    __slots__ = ("send", "claim_id", "cursor", "token_hash", "expires_at", "deadline",
                 "bucket", "pending", "pending_size", "writer", "blocked", "quiet", "state")

    def __init__(self, send: Send, *, claim_id: int, cursor: int, token_hash: str | None,
                 expires_at: float | None, deadline: float, bucket: int):
        self.send = send
        self.claim_id = claim_id
        self.cursor = cursor  # last seq this stream has been given (hidden events included)
        self.token_hash = token_hash
        self.expires_at = expires_at
        self.deadline = deadline
        self.bucket = bucket
        self.pending: list[bytes] | None = None
        self.pending_size = 0
        self.writer: asyncio.Task | None = None
        self.blocked = False  # the writer is waiting for the client's socket to drain
        self.quiet = False  # nothing sent since the last heartbeat round
        self.state = OPEN

    def deliver(self, frames: list[tuple[int, bytes | None]], since: int, last_seq: int) -> None:
        """Queue the frames of a batch read after ``since`` that this stream has not had yet.

        The frame bytes are shared by every stream of the claim, never copied per stream.
        """
        if self.cursor < since or self.cursor >= last_seq:
            return  # the batch does not start at our cursor (we joined mid-fetch) or is old
        cursor = self.cursor
        self.cursor = last_seq
        for seq, frame in frames:
            if seq > cursor and frame is not None:
                self.quiet = False
                self.push(frame)

    def push(self, chunk: bytes) -> None:
        if self.state != OPEN:
            return
        if self.pending is None:
            self.pending = [chunk]
            self.pending_size = len(chunk)
        else:
            self.pending.append(chunk)
            self.pending_size += len(chunk)
            # Only a client that stops reading is dropped; one big catch-up batch is fine.
            if self.blocked and self.pending_size > MAX_PENDING_BYTES:
                self.pending = None
                self.close()
                return
        self._kick()

    def heartbeat(self, comment: bytes) -> None:
        """Keep proxies from timing out a stream that has been silent for a whole round."""
        if self.quiet:
            self.push(comment)
        self.quiet = True

    def close(self) -> None:
        """End the response (revoked, expired, too slow or too old); the client reconnects."""
        if self.state == OPEN:
            self.state = CLOSING
            self._kick()

    def _kick(self) -> None:
        if self.writer is None:
            self.writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        try:
            while self.pending:
                chunks, self.pending, self.pending_size = self.pending, None, 0
                body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                self.blocked = True
                await self.send({"type": _BODY, "body": body, "more_body": True})
                self.blocked = False
            if self.state == CLOSING:
                self.state = CLOSED
                # Completing the response also wakes the handler's receive() with a disconnect.
                await self.send({"type": _BODY, "body": b"", "more_body": False})
        except Exception:  # noqa: BLE001 - a dead socket ends this stream only
            logger.debug("stream write failed", exc_info=True)
            self.state = CLOSED
        finally:
            self.writer = None
