"""One booking process for the race tests: `python -m tests.appointments.race_rig LOCATION_ID
KIND START_ISO GO_FILE` (DATABASE_URL pointing at the test database). It sets Django up,
says "ready" on stdout, waits for GO_FILE to appear (so both processes book at the same
instant), books through the service and prints "201" or "409 <code>"."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")
django.setup()

from claimory.appointments.services import (  # noqa: E402
    BookingRefused,
    Request,
    appointment_book,
)
from claimory.shops.models import Location  # noqa: E402


def main(location_id: int, kind: str, start: str, go: Path) -> str:
    location = Location.objects.get(pk=location_id)  # connect before the start line
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    try:
        appointment_book(location=location, request=Request(
            kind=kind, start=dt.datetime.fromisoformat(start), name=f"Racer {os.getpid()}"))
    except BookingRefused as exc:
        return f"409 {exc.code}"
    return "201"


if __name__ == "__main__":
    print(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])), flush=True)
