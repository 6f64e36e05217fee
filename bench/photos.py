"""Photos: processing cost of a 12 MP phone photo, and upload-to-portal latency end to end.

    .venv/bin/python bench/photos.py [--runs 10] [--uploads 10] [--burst 20]
                                     [--only processing|latency|concurrency]

1. Processing: a 4000×3000 JPEG (4.6 MB, EXIF with orientation and GPS) and a 12 MP HEIC
   through the real variant code (photos/images.py: upright, strip, 1600 + 480 px, JPEG and
   WebP), --runs times each in a fresh process: median and p95 wall time, and the process's
   peak RSS (and how far above its RSS before the first run). Every output is checked GPS-free.
2. Latency: a real `claimory serve` and `claimory worker` (separate processes, scratch SQLite
   data dir, then a fresh PostgreSQL database on 127.0.0.1:5432) and a portal event stream
   (`GET /c/<token>/events`) open on one claim. --uploads times: a 12 MP JPEG goes through
   `photo_receive` in a helper process (as the upload view would: checked, stored, row
   committed, task queued) — "accepted" is that commit — and the clock stops when the
   stream delivers the photo's PHOTO event (written by the worker once the variants exist).
   Uploads are one after another, so each is measured on an idle worker. The real-time
   doorbell is Redis when it answers (else the database poll).
3. Concurrency (PostgreSQL): --burst different photos to one claim, each sent twice at once
   (a retry racing its original), from 2 × --burst threads, with 2 workers running: every
   photo must be stored once, processed once (one claim of the row, one PHOTO event, four
   files, original deleted) and reach the stream once.
Everything shares this machine's cores (and whatever else runs on it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from fanout import _redis_ok, _rss_kb
from local_server import free_port, wait_until_up
from scoring import percentile

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.realtime.live import Postgres, SSEClient  # noqa: E402

PG_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"
# `serve` collects and compresses the static files first (minutes of CPU on a busy machine):
# done once per checkout, then copied into each run's data dir.
STATIC_CACHE = (Path(tempfile.gettempdir()) / "claimory-bench"
                / f"static-{uuid.uuid5(uuid.NAMESPACE_URL, str(ROOT)).hex[:12]}")


def _ms(values: list[float]) -> str:
    return (f"median {statistics.median(values) * 1000:.0f} ms, "
            f"p95 {percentile(values, 95) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms")


# ---- 1. processing --------------------------------------------------------------------------

def _process_child(path: str, runs: int) -> None:
    """In a fresh process: run the variant code ``runs`` times on the file, print JSON."""
    from claimory.photos.images import image_variants
    from tests.photos.samples import has_gps

    raw = Path(path).read_bytes()
    before_kb = _rss_kb(os.getpid())
    times, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        variants = image_variants(raw)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    served = (variants.display_jpeg, variants.display_webp, variants.thumb_jpeg,
              variants.thumb_webp)
    assert not any(has_gps(v.data) for v in served), "GPS survived"
    print(json.dumps({"times": times, "cpu": cpu, "before_kb": before_kb,
                      "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "display": [variants.display_jpeg.width, variants.display_jpeg.height],
                      "bytes": {"jpeg": len(variants.display_jpeg.data),
                                "webp": len(variants.display_webp.data),
                                "thumb_webp": len(variants.thumb_webp.data)}}))


def processing(runs: int) -> None:
    from photo_samples import phone_heic, phone_jpeg

    print(f"\n== Processing a 12 MP photo (4000×3000), {runs} runs each, one process each ==")
    for label, make in (("JPEG", phone_jpeg), ("HEIC", phone_heic)):
        raw = make(0)
        with tempfile.NamedTemporaryFile(suffix=f".{label.lower()}") as fh:
            fh.write(raw)
            fh.flush()
            out = subprocess.run([sys.executable, __file__, "--child-process", fh.name,
                                  "--runs", str(runs)], capture_output=True, text=True,
                                 check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        result = json.loads(out.stdout.strip().splitlines()[-1])
        above = (result["peak_kb"] - result["before_kb"]) / 1024
        print(f"{label} {len(raw) / 1e6:.1f} MB: {_ms(result['times'])} (CPU time: median "
              f"{statistics.median(result['cpu']) * 1000:.0f} ms); peak RSS "
              f"{result['peak_kb'] / 1024:.0f} MB ({above:.0f} MB above the process before "
              f"the first run); display "
              f"{result['display'][0]}×{result['display'][1]} JPEG "
              f"{result['bytes']['jpeg'] // 1024} KB / WebP {result['bytes']['webp'] // 1024} KB"
              f", thumbnail WebP {result['bytes']['thumb_webp'] // 1024} KB; no GPS in any")


# ---- the processes of a live run ---------------------------------------------------------------

class Driver:
    """bench/photo_driver.py: uploads through the service, in its own process."""

    def __init__(self, env: dict[str, str]):
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "bench" / "photo_driver.py")], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def __call__(self, op: str, **args) -> dict:
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"driver died running {op}")
        answer = json.loads(line)
        if not answer.pop("ok"):
            raise RuntimeError(f"driver {op} failed: {answer['trace']}")
        return answer

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Live:
    """A scratch database and data dir; `claimory serve` and N `claimory worker`s on it."""

    def __init__(self, database: str, *, workers: int = 1, photos: int = 0,
                 process: bool = False, serve_workers: int = 1):
        self.data_dir = Path(tempfile.mkdtemp(prefix="claimory-photos-"))
        self.postgres = Postgres(PG_SERVER) if database == "postgresql" else None
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "REDIS_URL", "CLAIMORY_TESTING")}
        env.update(CLAIMORY_DATA_DIR=str(self.data_dir), SECRET_KEY=uuid.uuid4().hex * 2,
                   CLAIMORY_BASE_URL=self.origin, CLAIMORY_ALLOWED_HOSTS="127.0.0.1",
                   CLAIMORY_REALTIME_PREFIX=f"bench-{uuid.uuid4().hex[:8]}",
                   PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
                   PYTHONUNBUFFERED="1")
        self.redis = _redis_ok(REDIS)
        if self.redis:
            env["REDIS_URL"] = REDIS
        if self.postgres:
            env["DATABASE_URL"] = self.postgres.create()
        self.env = env
        self.procs: list[subprocess.Popen] = []
        self.driver = Driver(env)
        try:
            self.claim = self.driver("setup", photos=photos, process=process)
            log = self.data_dir / "server.log"
            if STATIC_CACHE.exists():  # serve re-collects only if a source file changed
                shutil.copytree(STATIC_CACHE, self.data_dir / "static", dirs_exist_ok=True)
            server = self._start(["serve", "--port", str(self.port), "--workers",
                                  str(serve_workers)], log)
            wait_until_up(self.port, server, timeout=600, log=log)
            if not STATIC_CACHE.exists():
                shutil.copytree(self.data_dir / "static", STATIC_CACHE)
            for n in range(workers):
                self._start(["worker"], self.data_dir / f"worker{n}.log")
        except BaseException:  # a server that never came up: leave nothing running
            self.stop()
            raise

    def _start(self, args: list[str], log: Path) -> subprocess.Popen:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "claimory.cli", *args], cwd=ROOT, env=self.env,
            stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def stream(self) -> SSEClient:
        return SSEClient(self.port, f"/c/{self.claim['token']}/events",
                         last_event_id=self.claim["seq"])

    def stop(self) -> None:
        self.driver.close()
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.postgres:
            self.postgres.drop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _photo_events(stream: SSEClient, want: set[int], timeout: float) -> dict[int, float]:
    """Read the stream until a PHOTO event of every id in ``want`` has arrived: the arrival
    time (wall clock) of each."""
    seen: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while not want <= set(seen):
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError(f"waited {timeout}s; photo events for {sorted(want - set(seen))}"
                               f" never arrived")
        stream.wait_for(len(stream.events) + 1, timeout=left)
        event = stream.events[-1]
        if event.event == "photo" and event.data.get("photo_id") in want:
            seen.setdefault(event.data["photo_id"], time.time())
    return seen


# ---- 2. latency ----------------------------------------------------------------------------------

def latency(database: str, uploads: int) -> None:
    live = Live(database)
    try:
        stream = live.stream()
        waits, accept = [], []
        for n in range(uploads):
            sent = live.driver("upload", claim=live.claim["claim"], key=f"lat-{n}", seed=n % 4)
            arrived = _photo_events(stream, {sent["photo"]}, timeout=120)
            waits.append(arrived[sent["photo"]] - sent["accepted"])
            accept.append(sent["took"])
        check = live.driver("check", claim=live.claim["claim"])
        stream.close()
    finally:
        live.stop()
    doorbell = "Redis" if live.redis else "database poll"
    print(f"{database} ({doorbell} doorbell), {uploads} uploads of a 12 MP JPEG: accepted → "
          f"PHOTO event on the portal stream: {_ms(waits)}")
    print(f"   of which processing in the worker: median "
          f"{statistics.median(check['processing_ms']):.0f} ms; photo_receive itself "
          f"(check, store, commit): {_ms(accept)}")


# ---- 3. concurrency ------------------------------------------------------------------------------

def concurrency(burst: int, workers: int = 2) -> bool:
    live = Live("postgresql", workers=workers)
    try:
        stream = live.stream()
        sent = live.driver("burst", claim=live.claim["claim"], n=burst, copies=2)
        deadline = time.monotonic() + 300
        while True:
            check = live.driver("check", claim=live.claim["claim"])
            if set(check["states"]) <= {"ready", "failed"} or time.monotonic() > deadline:
                break
            time.sleep(0.25)
        done = time.time()
        stream.listen(3)  # anything late or repeated
        stream.close()
    finally:
        live.stop()
    photo_events = Counter(e.data.get("photo_id") for e in stream.events if e.event == "photo")
    ok = (sent["error_count"] == 0 and sent["distinct_photos"] == burst
          and check["photos"] == burst and check["states"] == {"ready": burst}
          and check["attempts"] == {"1": burst} and check["events_per_photo"] == {"1": burst}
          and check["variant_files"] == 4 * burst and check["originals_left"] == 0
          and len(photo_events) == burst and set(photo_events.values()) == {1})
    print(f"PostgreSQL, {workers} workers: {sent['calls']} uploads at once ({burst} photos, each "
          f"sent twice with its upload key) in {sent['took']:.1f} s, {sent['error_count']} errors;"
          f" all processed {done - sent['accepted']:.1f} s after the last was accepted")
    print(f"   rows {check['photos']}, states {check['states']}, claims per row "
          f"{check['attempts']}, PHOTO events per photo {check['events_per_photo']}, variant "
          f"files {check['variant_files']}, originals left {check['originals_left']}; on the "
          f"stream: {len(photo_events)} photos, "
          f"{sum(photo_events.values()) - len(photo_events)} repeats")
    print(f"   exactly once: {'yes' if ok else 'NO'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--only", choices=("processing", "latency", "concurrency"))
    parser.add_argument("--database", choices=("sqlite", "postgresql"),
                        help="latency on this database only")
    parser.add_argument("--child-process", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child_process:
        _process_child(options.child_process, options.runs)
        return
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    if options.only in (None, "processing"):
        processing(options.runs)
    if options.only in (None, "latency"):
        print("\n== Upload accepted → photo on an open portal (serve + worker processes) ==")
        for database in ("sqlite", "postgresql"):
            if options.database in (None, database):
                latency(database, options.uploads)
    ok = True
    if options.only in (None, "concurrency"):
        print(f"\n== {options.burst} uploads at once to one claim ==")
        ok = concurrency(options.burst)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
