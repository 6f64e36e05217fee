"""Redis pub/sub doorbell: every server process hears every commit, whichever process made it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
import redis.asyncio as aioredis

from claimory.realtime.backends import Ring, doorbell_decode, doorbell_encode, listen_forever

logger = logging.getLogger(__name__)

# After a failed publish, skip Redis for this long so a dead server costs requests nothing.
BACKOFF_SECONDS = 5.0


class RedisBackend:
    name = "redis"

    def __init__(self, url: str, prefix: str):
        self.url = url
        self.channel = f"{prefix}:claim-events"
        self._client: redis.Redis | None = None
        self._lock = threading.Lock()
        self._skip_until = 0.0

    def _sync_client(self) -> redis.Redis:
        with self._lock:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self.url, socket_connect_timeout=0.25, socket_timeout=0.5)
            return self._client

    def publish(self, claim_id: int, seq: int) -> None:
        if time.monotonic() < self._skip_until:
            return
        try:
            self._sync_client().publish(self.channel, doorbell_encode(claim_id, seq))
        except (redis.RedisError, OSError) as exc:
            self._skip_until = time.monotonic() + BACKOFF_SECONDS
            logger.warning("Redis publish failed (%s); other processes catch up by polling", exc)

    async def listen(self, ring: Ring) -> None:
        await listen_forever("Redis", lambda connected: self._consume(ring, connected))

    async def _consume(self, ring: Ring, connected: Callable[[], None]) -> None:
        client = aioredis.Redis.from_url(self.url, socket_connect_timeout=1,
                                         health_check_interval=30)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(self.channel)
                connected()
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    parsed = doorbell_decode(message["data"])
                    if parsed is not None:
                        ring(*parsed)
        finally:
            await client.aclose()
