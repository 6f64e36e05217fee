"""Prints how long the reports take over a year of a busy shop: 5,000 delivered claims with
stage history, messages, supplements, portal views and surveys (reports/demo_history.py).

    PYTHONPATH=src python bench/reports.py [claims]
"""

from __future__ import annotations

import datetime
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_server import scratch_django  # noqa: E402


def _time(label: str, fn, runs: int = 5) -> None:
    fn()  # warm: compiled queries, templates
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    print(f"{label:34s} median {statistics.median(timings):7.1f} ms   "
          f"max {max(timings):7.1f} ms   ({runs} runs)")


def main() -> None:
    claims = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    scratch_django(Path(tempfile.mkdtemp(prefix="claimory-bench-reports-")))
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from claimory.reports import catalog
    from claimory.reports.demo_history import seed_history
    from claimory.reports.models import PortalView
    from claimory.reports.period import Period, default_period
    from claimory.shops.models import Role
    from claimory.shops.services import (
        location_create,
        membership_add,
        staff_user_create,
        workspace_create,
    )

    workspace = workspace_create(name="Bench Collision", plan="professional")
    location = location_create(workspace=workspace, slug="bench", name="Bench Collision",
                               timezone="America/Chicago")
    user = staff_user_create(email="owner@bench.test", password="bench-password-1",  # noqa: S106
                             first_name="Owner", last_name="Bench")
    membership_add(user=user, workspace=workspace, role=Role.OWNER, locations=[location])
    started = time.perf_counter()
    seed_history(location, count=claims, days=365)
    print(f"seeded {claims} claims ({PortalView.objects.count()} portal-view rows) in "
          f"{time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)
    today = datetime.datetime.now(tz=datetime.UTC).date()
    year = Period(today.replace(year=today.year - 1), today, "month")
    quarter = default_period(today)
    _time("metrics, 90 days (all sections)", lambda: catalog.overview([location], quarter))
    _time("metrics, 365 days (all sections)", lambda: catalog.overview([location], year))
    _time("scorecard, 365 days", lambda: catalog.scorecard_section([location], year))
    query = {"start": year.start.isoformat(), "end": year.end.isoformat(), "grain": "month"}
    _time("GET /staff/reports (90 days)", lambda: client.get("/staff/reports"))
    _time("GET /staff/reports (365 days)", lambda: client.get("/staff/reports", query))
    _time("GET /staff/reports/carriers (365 d)",
          lambda: client.get("/staff/reports/carriers", query))
    _time("GET carriers.csv (365 days)",
          lambda: client.get("/staff/reports/carriers.csv", query))
    with CaptureQueriesContext(connection) as queries:
        client.get("/staff/reports", query)
    print(f"queries for the 365-day page: {len(queries)}")


if __name__ == "__main__":
    main()
