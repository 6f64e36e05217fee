"""The SMS outbox under crashes: queued texts, several `claimory worker`s, some SIGKILLed.

    .venv/bin/python bench/outbox_chaos.py [--texts 300] [--workers 3] [--kills 3] [--fail 20]
    DATABASE_URL=postgres://... .venv/bin/python bench/outbox_chaos.py   # on PostgreSQL

Seeds a shop with --texts queued staff replies to opted-in customers (on a scratch SQLite
file, or a fresh database on the server of DATABASE_URL, dropped afterwards), points the
workers at the fake Telnyx API from the test suite (real HTTP on loopback) which answers the
first --fail sends with HTTP 500, starts --workers workers and SIGKILLs a random one every
second (starting a replacement) --kills times. Printed: time until every text left
queued/sending, texts per second, the provider's view (POSTs, 500s, repeats carrying an
idempotency key it had already accepted — sends that would have gone out twice without the
key) and the check that matters: texts accepted once each, none missing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.realtime.live import Postgres  # noqa: E402
from tests.sms.fake_telnyx import FakeTelnyx  # noqa: E402

SEED = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from claimory.messaging.services import message_send
from tests.factories import make_claim, make_location
texts = int(sys.argv[1])
location = make_location(slug="chaos", name="Chaos Collision", sms_number="+15125550199")
claims = [make_claim(location, phone=f"(512) 555-{1000 + n:04d}") for n in range(50)]
for n in range(texts):
    message_send(claim=claims[n % len(claims)], body=f"Chaos update {n}")
print("seeded")
"""

COUNT = "SELECT state, count(*) FROM messaging_delivery GROUP BY state"


def state_counter(env: dict[str, str]):
    """Counts by state straight from the database (no Django process per poll)."""
    if env.get("DATABASE_URL"):
        import psycopg

        conn = psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://"),
                               autocommit=True)
    else:
        import sqlite3

        conn = sqlite3.connect(Path(env["CLAIMORY_DATA_DIR"]) / "claimory.sqlite3", timeout=30)
    return conn, lambda: dict(conn.execute(COUNT).fetchall())


def run_python(code: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=300)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--fail", type=int, default=20)
    options = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="claimory-chaos-"))
    suite_db = os.environ.get("DATABASE_URL", "")
    postgres = Postgres(suite_db) if suite_db.startswith("postgres") else None
    fake = FakeTelnyx().start()
    fake.fail_next(options.fail, status=500)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CLAIMORY_TESTING")}
    env.update(CLAIMORY_DATA_DIR=str(data_dir), SECRET_KEY="bench-" + "x" * 40,
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
               TELNYX_API_KEY=fake.api_key, TELNYX_API_BASE=fake.base_url,
               TELNYX_PUBLIC_KEY=fake.public_key_b64, CLAIMORY_BASE_URL="http://127.0.0.1:9",
               CLAIMORY_WORK_LEASE_SECONDS="3", CLAIMORY_WORK_SWEEP_SECONDS="1",
               CLAIMORY_WORK_GRACE_SECONDS="2")
    if postgres:
        env["DATABASE_URL"] = postgres.create()
    workers: list[subprocess.Popen] = []
    logs = data_dir / "logs"
    logs.mkdir()

    def start_worker() -> subprocess.Popen:
        log = (logs / f"worker{len(workers)}.log").open("w")
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "claimory.cli", "worker", "--interval", "0.1"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        workers.append(proc)
        return proc

    try:
        run_python(SEED, env, str(options.texts))
        conn, count_states = state_counter(env)
        began = time.monotonic()
        live = [start_worker() for _ in range(options.workers)]
        kills = 0
        next_kill = began + 1.0
        states: dict = {}
        while True:
            if kills < options.kills and time.monotonic() >= next_kill:
                victim = random.choice(live)
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                live.remove(victim)
                live.append(start_worker())
                kills += 1
                next_kill = time.monotonic() + 1.0
            states = count_states()
            if not states.get("queued") and not states.get("sending") and kills >= options.kills:
                break
            if time.monotonic() - began > 600:
                print("gave up after 10 minutes:", states)
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - began
        conn.close()
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.terminate()
        for proc in workers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        fake.stop()
        if postgres:
            postgres.drop()
        shutil.rmtree(data_dir, ignore_errors=True)

    accepted = Counter(m.idempotency_key for m in fake.messages)
    posts = Counter(a["idempotency_key"] for a in fake.attempts)
    failed_posts = min(options.fail, len(fake.attempts))
    repeats = sum(max(0, posts[key] - 1) for key in accepted) - failed_posts
    print(f"database: {'PostgreSQL' if postgres else 'SQLite'}; {options.workers} workers, "
          f"{kills} SIGKILLed and replaced; first {options.fail} sends answered 500")
    print(f"texts: {options.texts} in {elapsed:.1f} s ({options.texts / elapsed:.0f}/s); "
          f"final states {states}")
    print(f"provider: {len(fake.attempts)} POSTs, {len(accepted)} texts accepted, "
          f"{max(repeats, 0)} repeat(s) of an already accepted key")
    duplicates = sum(1 for n in accepted.values() if n > 1)
    missing = options.texts - len(accepted)
    ok = duplicates == 0 and missing == 0
    print(f"exactly once: {'yes' if ok else 'NO'} (duplicates {duplicates}, missing {missing})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
