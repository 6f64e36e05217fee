"""Estimate import benchmark: estimates per second (BMS and EMS, parse alone and parse+apply on
SQLite), and the time from a file landing in a watched folder to its claim existing, with a
real `claimory worker` process.

    .venv/bin/python bench/import.py [--count 200] [--drops 5] [--sweep 1]

Each estimate is one of the sample files (tests/estimates/data) with its claim number and
estimate id rewritten (same length, so the dBase tables stay valid): every import opens a
new claim. A second pass re-imports them all (the "unchanged" path). The folder latency
counts from the copy into the folder to the claim row being visible to another process;
the stable-file rule (same size at two scans) makes it one to two sweep intervals.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from local_server import scratch_django  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "estimates" / "data"
CLAIM = b"ACM-2026-118842"
ESTIMATE_ID = b"EST-7731-0001"


def _setup(data_dir: Path) -> None:
    scratch_django(data_dir)


def _variant(data: bytes, i: int) -> bytes:
    return data.replace(CLAIM, f"ACM-{i:011d}".encode()).replace(
        ESTIMATE_ID, f"EST-{i:09d}".encode())


def _rate(label: str, count: int, run) -> float:
    started = time.perf_counter()
    for i in range(count):
        run(i)
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    print(f"{label:<38} {rate:8.1f} estimates/s  ({elapsed * 1000 / count:6.2f} ms each)")
    return rate


def throughput(count: int, scratch: Path) -> None:
    from claimory.estimates.bms import parse_bms
    from claimory.estimates.ems import parse_ems, set_members
    from claimory.estimates.services import estimate_apply
    from tests.factories import make_location

    location = make_location(slug="bench", name="Bench Collision")
    bms = (DATA / "bms" / "est1-original.xml").read_bytes()
    bms_docs = [_variant(bms, i) for i in range(count)]
    ems_sets = []
    for i in range(count):
        folder = scratch / f"ems{i}"
        folder.mkdir()
        for path in (DATA / "ems").glob("8B0D0001.*"):
            (folder / path.name).write_bytes(_variant(path.read_bytes(), count + i))
        ems_sets.append(set_members(folder / "8B0D0001.ENV"))

    _rate("BMS parse", count, lambda i: parse_bms(bms_docs[i]))
    _rate("EMS parse", count, lambda i: parse_ems(ems_sets[i]))
    for label, parse, items in (("BMS", parse_bms, bms_docs), ("EMS", parse_ems, ems_sets)):
        _rate(f"{label} parse + apply (new claim)", count, lambda i, p=parse, it=items:
              estimate_apply(location=location, estimate=p(it[i]), source_name="bench"))
        _rate(f"{label} parse + apply (unchanged)", count, lambda i, p=parse, it=items:
              estimate_apply(location=location, estimate=p(it[i]), source_name="bench"))


def folder_latency(drops: int, sweep: int, data_dir: Path) -> None:
    from django.db import close_old_connections

    from claimory.claims.models import Claim
    from claimory.estimates.models import ImportFolder
    from claimory.shops.models import Location

    inbox = data_dir / "inbox"
    inbox.mkdir()
    ImportFolder.objects.create(location=Location.objects.get(slug="bench"), path=str(inbox))
    env = {**os.environ, "CLAIMORY_WORK_SWEEP_SECONDS": str(sweep),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    log = (data_dir / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "claimory.cli", "worker",  # noqa: S603
                               "--interval", "0.2"], env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    times = []
    try:
        time.sleep(2)  # let the worker start
        for n in range(drops):
            claim_number = f"ACM-{900000 + n:011d}"
            source = (DATA / "bms" / "est1-original.xml").read_bytes()
            started = time.perf_counter()
            (inbox / f"drop{n}.xml").write_bytes(_variant(source, 900000 + n))
            while True:
                close_old_connections()
                if Claim.objects.filter(claim_number=claim_number).exists():
                    break
                if time.perf_counter() - started > 60:
                    raise SystemExit(f"no claim after 60 s; see {data_dir / 'worker.log'}")
                time.sleep(0.02)
            times.append(time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    print(f"watched folder → claim (sweep {sweep} s, {drops} drops): "
          f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
          f"max {max(times):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--drops", type=int, default=5)
    parser.add_argument("--sweep", type=int, default=1, help="worker sweep interval (s)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="claimory-bench-import-"))
    try:
        _setup(data_dir)
        throughput(args.count, data_dir)
        folder_latency(args.drops, args.sweep, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
