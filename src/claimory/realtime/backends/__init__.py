"""Cross-process doorbells behind one small interface, chosen by REALTIME_NOTIFIER.

A backend carries only "claim id:seq". ``publish`` is called from ordinary sync code after a
commit and must never raise or stall; ``listen`` runs inside a server's event loop, calls
``ring`` for every doorbell from another process, and reconnects forever on its own.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

Ring = Callable[[int, int], None]
MODES = ("auto", "memory", "redis", "postgres")


class Backend(Protocol):
    name: str

    def publish(self, claim_id: int, seq: int) -> None: ...

    async def listen(self, ring: Ring) -> None: ...


class MemoryBackend:
    """This process only: the hub is rung directly; other processes catch up by polling."""

    name = "memory"

    def publish(self, claim_id: int, seq: int) -> None:
        return None

    async def listen(self, ring: Ring) -> None:
        return None


def doorbell_encode(claim_id: int, seq: int) -> str:
    return f"{int(claim_id)}:{int(seq)}"


def doorbell_decode(payload: str | bytes) -> tuple[int, int] | None:
    """(claim id, seq) from a message, or None for anything malformed (ignored, not fatal)."""
    if isinstance(payload, bytes):
        payload = payload.decode("ascii", "replace")
    claim, sep, seq = payload.partition(":")
    if not (sep and claim.isdigit() and seq.isdigit()):
        return None
    return int(claim), int(seq)


def get_backend() -> Backend:
    """The configured backend (one per configuration, reused by every publish)."""
    engine = settings.DATABASES["default"]["ENGINE"]
    return backend_for(settings.REALTIME_NOTIFIER.strip().lower(), settings.REDIS_URL,
                    settings.REALTIME_CHANNEL_PREFIX, engine)


@functools.lru_cache(maxsize=8)
def backend_for(mode: str, redis_url: str, prefix: str, engine: str) -> Backend:
    if mode not in MODES:
        raise ImproperlyConfigured(
            f"CLAIMORY_NOTIFIER={mode!r} is not one of {', '.join(MODES)}")
    if mode == "auto":
        mode = "redis" if redis_url else "memory"
    if mode == "redis":
        if not redis_url:
            raise ImproperlyConfigured("CLAIMORY_NOTIFIER=redis needs REDIS_URL")
        from claimory.realtime.backends.redis import RedisBackend

        return RedisBackend(redis_url, prefix)
    if mode == "postgres":
        if "postgresql" not in engine:
            raise ImproperlyConfigured("CLAIMORY_NOTIFIER=postgres needs DATABASE_URL=postgres://…")
        from claimory.realtime.backends.postgres import PostgresBackend

        return PostgresBackend(prefix)
    return MemoryBackend()


async def listen_forever(name: str, consume: Callable[[Callable[[], None]], Awaitable[None]]
                         ) -> None:
    """Run ``consume(connected)`` (connect, subscribe, ring per message) again after failures.

    ``consume`` calls ``connected()`` once subscribed. While the service is down the poll keeps
    delivering, only slower; one warning per outage, not one per retry.
    """
    outage = _Outage(name)
    while True:
        try:
            await consume(outage.over)
            raise ConnectionError("subscription ended")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure: wait, then reconnect
            await asyncio.sleep(outage.begin(exc))


class _Outage:
    def __init__(self, name: str):
        self.name, self.down, self.delay = name, False, 0.5

    def begin(self, exc: BaseException) -> float:
        if not self.down:
            logger.warning("%s doorbell unavailable (%s); the poll still delivers", self.name,
                           exc)
        self.down = True
        delay, self.delay = self.delay, min(self.delay * 2, 10.0)
        return delay

    def over(self) -> None:
        if self.down:
            logger.info("%s doorbell reconnected", self.name)
        self.down, self.delay = False, 0.5
