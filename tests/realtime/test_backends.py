"""Choosing the doorbell backend, and each backend failing softly."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured

from claimory.realtime import backends, notifier
from claimory.realtime.backends.redis import RedisBackend
from tests.realtime.live import in_own_loop


def test_auto_uses_redis_only_when_redis_url_is_set(settings):
    settings.REALTIME_NOTIFIER = "auto"
    settings.REDIS_URL = ""
    assert backends.get_backend().name == "memory"
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert backends.get_backend().name == "redis"


@pytest.mark.parametrize(("mode", "redis_url", "message"), [
    ("carrier-pigeon", "", "not one of"),
    ("redis", "", "needs REDIS_URL"),
    ("postgres", "", "needs DATABASE_URL"),
])
def test_misconfiguration_fails_loudly(mode, redis_url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        backends.backend_for(mode, redis_url, "claimory", "django.db.backends.sqlite3")


@pytest.mark.parametrize("payload", [b"12:7", "12:7"])
def test_doorbell_round_trips(payload):
    assert backends.doorbell_decode(payload) == (12, 7)
    assert backends.doorbell_encode(12, 7) == "12:7"


@pytest.mark.parametrize("payload", [b"", b"12", b"x:1", b"1:-2", b"1:2:3", b"\xff:1"])
def test_malformed_doorbells_are_ignored(payload):
    assert backends.doorbell_decode(payload) is None


def test_publish_never_raises_and_a_dead_redis_costs_nothing_after_the_first_try(
        settings, closed_port):
    settings.REALTIME_NOTIFIER = "redis"
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    notifier.publish(1, 1)
    start = time.monotonic()
    for seq in range(2, 50):
        notifier.publish(1, seq)
    assert time.monotonic() - start < 0.05


@pytest.mark.redis
@in_own_loop
async def test_redis_backend_carries_doorbells_between_publisher_and_listener(redis_url):
    backend = RedisBackend(redis_url, f"test-{uuid.uuid4().hex}")
    heard: list[tuple[int, int]] = []
    listening = asyncio.create_task(backend.listen(lambda c, s: heard.append((c, s))))
    try:
        deadline = time.monotonic() + 3
        while not heard and time.monotonic() < deadline:
            # Publish until the subscription is up (pub/sub keeps nothing for late joiners).
            await asyncio.to_thread(backend.publish, 41, 3)
            await asyncio.sleep(0.05)
        assert heard and heard[0] == (41, 3)
    finally:
        listening.cancel()
