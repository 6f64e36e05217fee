"""Portal page throughput and latency: `claimory serve` (2 workers) under wrk on loopback.

Usage: .venv/bin/python bench/portal_load.py [--seconds 10] [--connections 50]
The throughput part needs `wrk` (Debian package). Prints the load average first (other work on
the machine skews every figure), the median of sequential requests ("ordinary load") for the
page as customers get it (cached after the first view) and for a full render (``?sent`` is
never cached), then requests/s and latency percentiles at 50 connections. Target
(PRODUCT.md): >= 1,000 req/s, p99 < 100 ms at 50 clients on 2 cores; < 15 ms median at
ordinary load.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import time

import httpx
from local_server import seed_demo, uvicorn_serving


def _sequential(client: httpx.Client, url: str, n: int = 300) -> tuple[float, float]:
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), sorted(timings)[int(len(timings) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    has_wrk = shutil.which("wrk") is not None
    demo = seed_demo("claimory-portal-bench-")
    url = re.search(r"(http://\S+/c/\S+)", demo.printed).group(1)
    # The project's logging config turns uvicorn's access log back on whatever the flag says.
    with uvicorn_serving(demo, args.workers, "--no-access-log"):
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        with httpx.Client() as client:
            for _ in range(50):  # warm caches, template loaders, connections
                client.get(url)
            for label, target in (("page", url), ("full render (?sent, never cached)",
                                                  f"{url}?sent=1")):
                median, p99 = _sequential(client, target)
                print(f"ordinary load, {label} (sequential, 300 requests): median "
                      f"{median:.1f} ms, p99 {p99:.1f} ms")
            print(f"full render median {median:.1f} ms -> "
                  f"{'meets' if median < 15 else 'MISSES'} the target (< 15 ms)")
        if not has_wrk:
            print("wrk is not installed (apt-get install wrk): no throughput figures")
            return
        out = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", url],
            capture_output=True, text=True, check=True).stdout
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
        pct = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        print(f"wrk {args.connections} connections, {args.seconds}s, {args.workers} workers: "
              f"{float(rps):.0f} req/s, p50 {pct.get('50')}, p90 {pct.get('90')}, "
              f"p99 {pct.get('99')}, non-2xx {errors.group(1) if errors else 0}")
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
