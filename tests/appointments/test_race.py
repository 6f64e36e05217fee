"""Two processes booking the last place at the same instant on PostgreSQL: exactly one gets
it, for the last seat of a slot and for the last place of a day with a daily cap (two
different slots, one day seat)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from claimory.appointments.models import Appointment, Availability
from tests.appointments.test_booking import next_weekday_at

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    auth = f"{user}:{s['PASSWORD']}" if s.get("PASSWORD") else user
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/" \
           f"{s['NAME']}"


def race(tmp_path, location, bookings: list[tuple[str, str]]) -> list[str]:
    """Start one process per (kind, start), wait until each is connected and ready, then
    let them all go at once; their answers."""
    go = tmp_path / "go"
    env = {**os.environ, "DATABASE_URL": _database_url(), "CLAIMORY_DB_POOL_SIZE": "0",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    procs = [subprocess.Popen(
        [sys.executable, "-m", "tests.appointments.race_rig", str(location.pk), kind, start,
         str(go)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True) for kind, start in bookings]
    for proc in procs:
        line = proc.stdout.readline().strip()
        assert line == "ready", proc.stderr.read()
    go.touch()
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        answers.append(out.strip())
    return answers


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL (DATABASE_URL)")


def test_two_processes_booking_the_last_seat_one_wins(tmp_path, location):
    Availability.objects.create(location=location, drop_off_capacity=2)
    start = next_weekday_at(14)
    Appointment.objects.create(location=location, kind="drop_off", start=start,
                               end=start, seat=0, customer_name="Already here")
    answers = race(tmp_path, location, [("drop_off", start.isoformat())] * 2)
    assert sorted(answers) == ["201", "409 full"]
    assert Appointment.objects.filter(start=start, status="requested").count() == 2


def test_two_processes_booking_the_last_place_of_the_day_one_wins(tmp_path, location):
    Availability.objects.create(location=location, pickup_day_capacity=1)
    answers = race(tmp_path, location, [("pickup", next_weekday_at(10).isoformat()),
                                        ("pickup", next_weekday_at(15).isoformat())])
    assert sorted(answers) == ["201", "409 day_full"]
    assert Appointment.objects.filter(kind="pickup").count() == 1
