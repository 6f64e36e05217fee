"""Fan-out benchmark: N open portals on one server process, a burst of stage changes.

    .venv/bin/python bench/fanout.py --clients 1000 5000 10000

For each N it runs, on loopback, first bench/raw_sse.py (the ceiling: a bare ASGI SSE server)
and then one `uvicorn claimory.asgi:application` worker on a scratch SQLite data dir with seeded
claims. N clients (asyncio sockets spread evenly over --claims claims, in --client-procs
processes) hold streams open; then the same paced burst goes to both: every claim changes once
per round — for Claimory a real claim_stage_set in this process, reaching the server through
Redis (or only the poll when Redis is absent); for the ceiling a POST per change.

Printed per run: connections refused; delivery latency p50/p99/max from the commit (for the
ceiling: from the POST) and p99 end to end (from the start of the change, database write
included); events lost and duplicated (every connection must get every event of its claim
once); server memory per stream (RSS growth while the N streams opened, / N); server CPU
during the burst; the change rate achieved; server CPU spent accepting the N streams, and its
ratio to the bare server's (target: within 2x, so a reconnect storm cannot stall a worker).
Everything shares this machine's cores, so other load on it shows up in the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from local_server import free_port
from scoring import HEADER, Load, Result, Sent, row, score, slowest, verdicts

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("estimate", "teardown", "started")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _redis_ok(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


class Scratch:
    """A throwaway data dir with a migrated SQLite database and seeded claims."""

    def __init__(self, n_claims: int, redis_url: str | None, poll_ms: int):
        self.dir = Path(tempfile.mkdtemp(prefix="claimory-bench-"))
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update(CLAIMORY_DATA_DIR=str(self.dir), SECRET_KEY=uuid.uuid4().hex * 2,
                        CLAIMORY_REALTIME_POLL_MS=str(poll_ms),
                        CLAIMORY_REALTIME_PREFIX=f"bench-{uuid.uuid4().hex[:8]}",
                        CLAIMORY_PORTAL_404_LIMIT="0")
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        os.environ.clear()
        os.environ.update(self.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "claimory.settings"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        self.claims = self._seed(n_claims)

    @staticmethod
    def _seed(n: int) -> list[tuple[int, str]]:
        from claimory.claims.services import (
            ClaimInput,
            CustomerInput,
            VehicleInput,
            claim_create,
            portal_token,
        )
        from claimory.shops.services import location_create, workspace_create

        location = location_create(workspace=workspace_create(name="Bench Group"),
                                   slug="bench", name="Bench Collision")
        claims = []
        for i in range(n):
            claim = claim_create(location=location, data=ClaimInput(
                customer=CustomerInput(name=f"Customer {i}"),
                vehicle=VehicleInput(year=2020, make="Honda", model="Civic")))
            claims.append((claim.pk, portal_token(claim)))
        return claims

    @staticmethod
    def stage_change(claim_id: int) -> int:
        from claimory.claims.models import Claim
        from claimory.claims.services import claim_stage_set

        claim = Claim.objects.select_related("location", "stage").get(pk=claim_id)
        before = claim.event_seq
        current = STAGES.index(claim.stage.slug) if claim.stage.slug in STAGES else -1
        seq = claim_stage_set(claim=claim, stage=STAGES[(current + 1) % len(STAGES)]).event_seq
        assert seq > before, "every change must be a new event"
        return seq

    def seqs(self) -> dict[int, int]:
        from claimory.claims.models import Claim

        return dict(Claim.objects.values_list("pk", "event_seq"))

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class RawPublisher:
    """Triggers the ceiling server's fan-out over one keep-alive connection."""

    def __init__(self, port: int):
        import http.client

        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.seq: dict[int, int] = {}

    def __call__(self, claim_id: int) -> int:
        seq = self.seq[claim_id] = self.seq.get(claim_id, 0) + 1
        self.conn.request("POST", f"/pub/{claim_id}/{seq}")
        self.conn.getresponse().read()
        return seq


def _start_server(kind: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    target = "bench.raw_sse:app" if kind == "raw" else "claimory.asgi:application"
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
         "--lifespan", "off", "--no-access-log", "--log-level", "warning", "--backlog", "4096",
         "--timeout-graceful-shutdown", "2"],
        cwd=ROOT, env={**env, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])},
        stdout=log.open("a"),
        stderr=subprocess.STDOUT)


def _wait_listening(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited during start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _warm(port: int, path: str) -> None:
    """One stream opened and closed, so imports and the hub are not counted per stream."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        sock.recv(4096)
    time.sleep(0.5)


def _spawn_clients(port: int, conns: list, procs: int) -> list[subprocess.Popen]:
    children = []
    for i in range(procs):
        child = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "sse_clients.py")], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True)
        child.stdin.write(json.dumps({"port": port, "conns": conns[i::procs]}) + "\n")
        child.stdin.flush()
        children.append(child)
    return children


def _burst(kind: str, port: int, scratch: Scratch, args) -> tuple[Sent, float]:
    """Every claim changes once per round, paced at --rate; returns when each change began
    and committed, and the change rate actually achieved."""
    change = RawPublisher(port) if kind == "raw" else scratch.stage_change
    sent: Sent = {}
    changing = 0.0
    for _round in range(args.rounds):
        round_start = time.monotonic()
        for i, (claim_id, _token) in enumerate(scratch.claims):
            pause = round_start + i / args.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            started = time.time()
            seq = change(claim_id)
            # Claimory rang its doorbell at commit, inside change(); the ceiling has nothing
            # to commit, so its change counts as committed when the POST starts.
            sent[(claim_id, seq)] = (started, started if kind == "raw" else time.time())
        changing += time.monotonic() - round_start
        time.sleep(args.gap)
    return sent, len(sent) / changing


def run_one(kind: str, n: int, scratch: Scratch, args) -> Result:
    port = free_port()
    server = _start_server(kind, port, scratch.env, scratch.dir / f"{kind}-{n}.log")
    children: list[subprocess.Popen] = []
    try:
        _wait_listening(port, server)
        seqs = scratch.seqs()
        if kind == "raw":
            paths = [[cid, f"/sub/{cid}"] for cid, _token in scratch.claims]
        else:  # the page passes the seq it rendered, as the portal does
            paths = [[cid, f"/c/{token}/events?last_event_id={seqs[cid]}"]
                     for cid, token in scratch.claims]
        _warm(port, paths[0][1])
        conns = [paths[i % len(paths)] for i in range(n)]
        rss0, cpu0 = _rss_kb(server.pid), _cpu_s(server.pid)
        started = time.monotonic()
        children = _spawn_clients(port, conns, args.client_procs)
        ready = [json.loads(child.stdout.readline()) for child in children]
        connect_s = time.monotonic() - started
        time.sleep(args.settle)
        rss1, cpu1 = _rss_kb(server.pid), _cpu_s(server.pid)
        burst_start = time.monotonic()
        sent, rate = _burst(kind, port, scratch, args)
        time.sleep(args.drain)
        burst_s, cpu2 = time.monotonic() - burst_start, _cpu_s(server.pid)
        for child in children:
            child.stdin.write("stop\n")
            child.stdin.flush()
        reports = [json.loads(child.stdout.readline()) for child in children]
        if args.show_slow is not None:
            print("\n".join(slowest(sent, reports, args.show_slow)))
        return score(kind, sent, reports, Load(
            clients=n, connected=sum(r["connected"] for r in ready), connect_s=connect_s,
            rss_before_kb=rss0, rss_connected_kb=rss1, connect_cpu_s=cpu1 - cpu0,
            burst_cpu_s=cpu2 - cpu1, burst_s=burst_s, changes_per_s=rate))
    finally:
        for child in children:
            child.kill()
            child.wait()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--claims", type=int, default=100, help="streams spread over these")
    parser.add_argument("--rounds", type=int, default=5, help="each round changes every claim")
    parser.add_argument("--rate", type=float, default=100, help="changes per second")
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between rounds")
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--drain", type=float, default=3.0)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL",
                                                              "redis://127.0.0.1:6379/0"))
    parser.add_argument("--poll-ms", type=int, default=500)
    parser.add_argument("--only", choices=["raw", "claimory"])
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir and logs")
    parser.add_argument("--show-slow", type=float, metavar="MS",
                        help="list events whose last delivery took longer than MS")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if max(args.clients) + 100 > hard:
        sys.exit(f"fd limit {hard} is too low for {max(args.clients)} streams")
    redis_url = args.redis_url if _redis_ok(args.redis_url) else None
    print("doorbell:", f"Redis at {redis_url}" if redis_url else
          f"none (Redis unreachable): the {args.poll_ms} ms poll delivers")
    scratch = Scratch(args.claims, redis_url, args.poll_ms)
    results: list[Result] = []
    print(HEADER)
    try:
        for n in args.clients:
            for kind in ("raw", "claimory"):
                if args.only in (None, kind):
                    results.append(run_one(kind, n, scratch, args))
                    print(row(results[-1]), f"  (load avg {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        if args.keep:
            print("scratch dir and server logs kept in", scratch.dir)
        else:
            scratch.remove()
    print("\n".join(["", *verdicts(results)]))


if __name__ == "__main__":
    main()
