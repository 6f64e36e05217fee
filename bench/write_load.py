"""Concurrent writers against a real `claimory serve`: errors, latency, database connections.

    .venv/bin/python bench/write_load.py [--writers 20] [--seconds 30] [--workers 2]
    DATABASE_URL=postgres://... .venv/bin/python bench/write_load.py   # on PostgreSQL

Starts `claimory serve` on a scratch data dir (SQLite there by default; the database of
DATABASE_URL when it is set, seeded with the demo shop if it is empty), creates an API key and
--claims claims through the API, opens --streams portal event streams and --streams staff
event streams (long requests that must not hold a database connection), then runs --writers
concurrent writers for --seconds. Each writer loops over: an API stage change, an API message,
a portal message (POST /c/<token>/messages, kept under the per-claim cap). Printed: requests,
errors (any non-2xx, timeouts included) by kind, p50/p99 latency, and on PostgreSQL the peak
number of connections to the database (pg_stat_activity, sampled every 50 ms during the run,
this script's own sampler excluded) against the bound: workers x CLAIMORY_DB_POOL_SIZE.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from local_server import free_port, wait_until_up

STAGES = ("estimate", "teardown", "started")
PORTAL_CAP = 10  # portal/message_limit.LIMIT messages per claim per 5 minutes


class Sampler(threading.Thread):
    """Peak of pg_stat_activity backends on the bench's database (not counting itself)."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.peak = 0
        self.last = 0
        self.stop = threading.Event()

    def count(self) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]

    def run(self) -> None:
        while not self.stop.is_set():
            self.last = self.count()
            self.peak = max(self.peak, self.last)
            time.sleep(0.05)


def _serve(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "claimory.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--workers", str(workers)], env=env, stdout=log.open("w"),
        stderr=subprocess.STDOUT)
    wait_until_up(port, server, log=log)
    return server


def _staff_login(client: httpx.Client, email: str, password: str) -> None:
    page = client.get("/staff/login")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = client.post("/staff/login", data={"username": email, "password": password,
                                               "csrfmiddlewaretoken": csrf},
                         headers={"Referer": str(page.url)})
    if answer.status_code != 302:
        sys.exit(f"staff sign-in failed: {answer.status_code}")


async def _hold_stream(client: httpx.AsyncClient, path: str, opened: list, stop: asyncio.Event):
    try:
        async with client.stream("GET", path, timeout=None) as response:
            opened.append(response.status_code)
            async for _chunk in response.aiter_bytes():
                if stop.is_set():
                    return
    except (httpx.HTTPError, asyncio.CancelledError):
        return


class Load:
    def __init__(self, origin: str, api_key: str, claims: list[tuple[int, str]]):
        self.origin = origin
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.claims = claims
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.examples: dict[str, str] = {}
        self.requests: Counter[str] = Counter()
        self.portal_sent: Counter[int] = Counter()
        self.next_portal = 0

    def _portal_claim(self) -> tuple[int, str] | None:
        for _ in range(len(self.claims)):
            claim_id, token = self.claims[self.next_portal % len(self.claims)]
            self.next_portal += 1
            if self.portal_sent[claim_id] < PORTAL_CAP:
                self.portal_sent[claim_id] += 1
                return claim_id, token
        return None

    async def _one(self, client: httpx.AsyncClient, kind: str, method: str, path: str,
                   **kwargs) -> None:
        started = time.perf_counter()
        try:
            response = await client.request(method, path, **kwargs)
            status = response.status_code
            detail = response.text[:200]
        except httpx.HTTPError as exc:
            status, detail = 0, repr(exc)
        self.latencies.append((time.perf_counter() - started) * 1000)
        self.requests[kind] += 1
        if not 200 <= status < 300:
            self.errors[f"{kind} {status}"] += 1
            self.examples.setdefault(f"{kind} {status}", detail)

    async def writer(self, n: int, client: httpx.AsyncClient, until: float) -> None:
        i = n
        while time.monotonic() < until:
            claim_id, _token = self.claims[i % len(self.claims)]
            step = i % 3
            if step == 0:
                await self._one(client, "api stage", "POST", f"/api/v1/claims/{claim_id}/stage",
                                json={"stage": STAGES[(i // 3) % len(STAGES)]},
                                headers=self.headers)
            elif step == 1:
                await self._one(client, "api message", "POST",
                                f"/api/v1/claims/{claim_id}/messages",
                                json={"body": f"Update {i} from the shop."}, headers=self.headers)
            elif (target := self._portal_claim()) is not None:
                await self._one(client, "portal message", "POST", f"/c/{target[1]}/messages",
                                json={"body": f"Customer question {i}?"},
                                headers={"Accept": "application/json"})
            else:  # every claim is at the portal cap: the shop writes instead
                await self._one(client, "api message", "POST",
                                f"/api/v1/claims/{claim_id}/messages",
                                json={"body": f"Reply {i} from the shop."}, headers=self.headers)
            i += 1


async def _run(args, origin: str, api_key: str, claims: list[tuple[int, str]],
               staff_cookies: httpx.Cookies) -> Load:
    load = Load(origin, api_key, claims)
    limits = httpx.Limits(max_connections=args.writers + 2 * args.streams + 4)
    async with httpx.AsyncClient(base_url=origin, timeout=30, limits=limits) as client, \
            httpx.AsyncClient(base_url=origin, cookies=staff_cookies, limits=limits) as staff:
        stop = asyncio.Event()
        opened: list[int] = []
        holders = [asyncio.create_task(_hold_stream(client, f"/c/{token}/events", opened, stop))
                   for _claim_id, token in claims[:args.streams]]
        holders += [asyncio.create_task(_hold_stream(staff, "/staff/events", opened, stop))
                    for _ in range(args.streams)]
        deadline = time.monotonic() + 15
        while len(opened) < len(holders) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if any(status != 200 for status in opened) or len(opened) < len(holders):
            sys.exit(f"event streams did not all open: {Counter(opened)}")
        until = time.monotonic() + args.seconds
        await asyncio.gather(*(load.writer(n, client, until) for n in range(args.writers)))
        stop.set()
        for task in holders:
            task.cancel()
        await asyncio.gather(*holders, return_exceptions=True)
    return load


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--claims", type=int, default=60)
    parser.add_argument("--streams", type=int, default=10,
                        help="portal and staff event streams held open during the run (each)")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    data_dir = Path(tempfile.mkdtemp(prefix="claimory-write-bench-"))
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(CLAIMORY_DATA_DIR=str(data_dir), CLAIMORY_BASE_URL=origin,
               CLAIMORY_ALLOWED_HOSTS="127.0.0.1", CLAIMORY_PORTAL_404_LIMIT="0",
               SECRET_KEY=os.environ.get("SECRET_KEY") or uuid.uuid4().hex * 2)
    pool_size = int(env.setdefault("CLAIMORY_DB_POOL_SIZE", "8"))
    seeded = subprocess.run([sys.executable, "-m", "claimory.cli", "demo", "--no-serve"],
                            env=env, capture_output=True, text=True, check=True).stdout
    api_key = re.search(r"^API key: (\S+)$", seeded, re.M).group(1)
    server = _serve(env, port, args.workers, data_dir / "server.log")
    sampler = None
    try:
        with httpx.Client(base_url=origin, timeout=30) as client:
            headers = {"Authorization": f"Bearer {api_key}"}
            claims = []
            for i in range(args.claims):
                made = client.post("/api/v1/claims", headers=headers, json={
                    "customer": {"name": f"Load Customer {i}", "phone": "(512) 555-0100"},
                    "vehicle": {"year": 2020, "make": "Honda", "model": "Civic"}})
                made.raise_for_status()
                body = made.json()
                claims.append((body["id"], body["portal_url"].rsplit("/c/", 1)[1]))
            _staff_login(client, "owner@northside.demo", "claimory-demo")
            staff_cookies = client.cookies
        if database_url:
            sampler = Sampler(database_url)
            idle_before = sampler.count()
            sampler.start()
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        started = time.monotonic()
        load = asyncio.run(_run(args, origin, api_key, claims, staff_cookies))
        elapsed = time.monotonic() - started
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        if sampler is not None:
            sampler.stop.set()
            sampler.join()
        server.terminate()
        server.wait(timeout=15)

    total = sum(load.requests.values())
    errors = sum(load.errors.values())
    ordered = sorted(load.latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] if ordered else 0.0
    db = "PostgreSQL" if database_url else "SQLite"
    print(f"{db}, {args.workers} workers, {args.writers} writers x {args.seconds}s, "
          f"{args.streams} portal + {args.streams} staff streams open")
    print(f"requests {total} ({total / elapsed:.0f}/s): "
          + ", ".join(f"{kind} {n}" for kind, n in sorted(load.requests.items())))
    print(f"errors {errors}" + (": " + ", ".join(f"{k} x{n}" for k, n in load.errors.items())
                                if errors else ""))
    for kind, example in load.examples.items():
        print(f"  e.g. {kind}: {example[:160]!r}")
    print(f"latency p50 {statistics.median(ordered) if ordered else 0:.0f} ms, p99 {p99:.0f} ms")
    if sampler is not None:
        bound = args.workers * pool_size
        verdict = "within" if sampler.peak <= bound else "OVER"
        print(f"PostgreSQL connections: peak {sampler.peak} during the run ({idle_before} "
              f"before), {verdict} the bound {args.workers} workers x pool {pool_size} = {bound}")
        sampler.conn.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    if errors or (sampler is not None and sampler.peak > args.workers * pool_size):
        sys.exit(1)


if __name__ == "__main__":
    main()
