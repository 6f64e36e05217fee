"""Several server processes on one database: Redis, PostgreSQL NOTIFY, and the poll fallback."""

from __future__ import annotations

import os
import time
import uuid

import httpx
import pytest

from tests.realtime.live import SSEClient

POLL_OFF_MS = "600000"  # the doorbell alone must deliver in these tests


def _open(server, token) -> SSEClient:
    client = SSEClient(server.port, f"/c/{token}/events")
    client.wait_for(1)
    return client


@pytest.mark.redis
def test_change_in_another_process_reaches_streams_on_every_server_through_redis(
        live, redis_url):
    redis_env = {"REDIS_URL": redis_url,
                 "CLAIMORY_REALTIME_PREFIX": f"rt-test-{uuid.uuid4().hex[:8]}"}
    server_a = live.server(CLAIMORY_REALTIME_POLL_MS=POLL_OFF_MS, **redis_env)
    server_b = live.server(CLAIMORY_REALTIME_POLL_MS=POLL_OFF_MS, **redis_env)
    staff = live.driver_with(**redis_env)
    claim = live.claim()
    on_a, on_b = _open(server_a, claim["token"]), _open(server_b, claim["token"])
    time.sleep(0.3)  # both servers' subscriptions are up

    staff("stage", claim=claim["id"], stage="teardown")
    # The servers' own polls are off, so only the Redis doorbell can bring the change; the
    # timeout is generous because a busy CI machine, not the doorbell, sets the pace.
    for client in (on_a, on_b):
        assert client.wait_for(2, timeout=5)[-1].data["to"] == "teardown"
    on_a.close()
    on_b.close()


@pytest.mark.redis
def test_redis_down_gives_no_500_and_changes_still_arrive_by_catch_up(live, closed_port):
    dead = {"REDIS_URL": f"redis://127.0.0.1:{closed_port}/0"}
    server = live.server(CLAIMORY_REALTIME_POLL_MS="200", **dead)
    staff = live.driver_with(**dead)
    claim = live.claim()
    assert httpx.get(f"{server.origin}/healthz").status_code == 200
    client = _open(server, claim["token"])
    assert client.status == 200
    staff("stage", claim=claim["id"], stage="teardown")  # publishing to dead Redis: no error
    assert client.wait_for(2, timeout=2)[-1].data["to"] == "teardown"
    assert "Traceback" not in server.log()
    client.close()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="LISTEN/NOTIFY needs the suite on PostgreSQL")
def test_postgres_notify_carries_changes_between_processes(live):
    notify = {"CLAIMORY_NOTIFIER": "postgres",
              "CLAIMORY_REALTIME_PREFIX": f"rt_{uuid.uuid4().hex[:8]}"}
    server = live.server(CLAIMORY_REALTIME_POLL_MS=POLL_OFF_MS, **notify)
    staff = live.driver_with(**notify)
    claim = live.claim()
    client = _open(server, claim["token"])
    time.sleep(0.3)
    staff("stage", claim=claim["id"], stage="estimate")
    assert client.wait_for(2, timeout=5)[-1].data["to"] == "estimate"
    client.close()
