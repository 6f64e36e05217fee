"""On PostgreSQL, `claimory serve` holds at most workers x CLAIMORY_DB_POOL_SIZE connections
however many requests and event streams are in flight (the suite's PostgreSQL pass only)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.realtime.live import Postgres
from tests.server_process import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
POOL_SIZE = 3
WRITERS = 12

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="the connection pool is PostgreSQL only")


class Peak(threading.Thread):
    """Highest number of backends connected to ``dbname``, sampled every 20 ms."""

    def __init__(self, postgres: Postgres):
        super().__init__(daemon=True)
        self.conn = postgres._admin()  # on the "postgres" database: not counted
        self.name_ = postgres.name
        self.peak = 0
        self.stop = threading.Event()

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                 (self.name_,)).fetchone()[0]

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, self.count())
            time.sleep(0.02)


@pytest.fixture
def served(tmp_path):
    postgres = Postgres(os.environ["DATABASE_URL"])
    url = postgres.create()
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CLAIMORY_NOTIFIER")}
    env.update(DATABASE_URL=url, CLAIMORY_DATA_DIR=str(tmp_path), CLAIMORY_BASE_URL=origin,
               CLAIMORY_ALLOWED_HOSTS="127.0.0.1", CLAIMORY_DB_POOL_SIZE=str(POOL_SIZE),
               CLAIMORY_DB_POOL_TIMEOUT="5",
               SECRET_KEY="db-pool-test-secret-key-0123456789abcdefghijklmnop",
               PYTHONPATH=str(ROOT / "src"))
    seeded = subprocess.run([sys.executable, "-m", "claimory.cli", "demo", "--no-serve"],
                            env=env, capture_output=True, text=True, check=True,
                            timeout=180).stdout
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "claimory.cli", "serve", "--port", str(port), "--workers",
         str(WORKERS)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(origin, proc, timeout=60, log_path=tmp_path / "server.log")
        yield {"origin": origin, "postgres": postgres,
               "key": re.search(r"^API key: (\S+)$", seeded, re.M).group(1)}
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
        postgres.drop()


def _hold(origin: str, path: str, cookies, opened: list, stop: threading.Event) -> None:
    try:
        with httpx.Client(base_url=origin, cookies=cookies,
                          timeout=httpx.Timeout(5, read=60)) as client, \
                client.stream("GET", path) as response:
            opened.append(response.status_code)
            for _chunk in response.iter_bytes():
                if stop.is_set():
                    return
    except httpx.HTTPError:  # the server stopping ends the stream
        return


def test_connections_stay_within_workers_times_pool_size(served):
    origin, auth = served["origin"], {"Authorization": f"Bearer {served['key']}"}
    with httpx.Client(base_url=origin, timeout=30) as client:
        claims = []
        for i in range(WRITERS):
            made = client.post("/api/v1/claims", headers=auth, json={
                "customer": {"name": f"Pool Customer {i}"},
                "vehicle": {"year": 2020, "make": "Honda", "model": "Civic"}})
            assert made.status_code == 201, made.text
            claims.append((made.json()["id"], made.json()["portal_url"].rsplit("/c/", 1)[1]))
        page = client.get("/staff/login")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        signed_in = client.post("/staff/login", data={
            "username": "owner@northside.demo", "password": "claimory-demo",
            "csrfmiddlewaretoken": csrf})
        assert signed_in.status_code == 302
        staff_cookies = client.cookies

    peak = Peak(served["postgres"])
    peak.start()
    # Long requests first: staff and portal event streams that stay open throughout. If each
    # held a connection, these alone would take every connection of the pools.
    stop, opened = threading.Event(), []
    streams = [("/staff/events", staff_cookies)] * (WORKERS * POOL_SIZE)
    streams += [(f"/c/{token}/events", None) for _, token in claims[:4]]
    holders = [threading.Thread(target=_hold, args=(origin, path, cookies, opened, stop),
                                daemon=True) for path, cookies in streams]
    for holder in holders:
        holder.start()
    statuses: list[int] = []

    def write(n: int) -> None:
        claim_id, token = claims[n]
        with httpx.Client(base_url=origin, timeout=30) as client:
            for i in range(9):
                if i % 3 == 0:
                    answer = client.post(f"/api/v1/claims/{claim_id}/stage", headers=auth,
                                         json={"stage": ("estimate", "teardown")[i % 2]})
                elif i % 3 == 1:
                    answer = client.post(f"/api/v1/claims/{claim_id}/messages", headers=auth,
                                         json={"body": f"Update {i}"})
                else:
                    answer = client.post(f"/c/{token}/messages", json={"body": f"Question {i}"},
                                         headers={"Accept": "application/json"})
                statuses.append(answer.status_code)

    try:
        with ThreadPoolExecutor(WRITERS) as writers:
            list(writers.map(write, range(WRITERS)))
    finally:
        stop.set()
        peak.stop.set()
        peak.join()
        peak.conn.close()
    assert opened == [200] * len(holders)
    assert len(statuses) == WRITERS * 9
    assert all(200 <= status < 300 for status in statuses), sorted(set(statuses))
    assert 1 <= peak.peak <= WORKERS * POOL_SIZE, peak.peak
