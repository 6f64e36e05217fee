"""Helper process for the crash test: seeds a queued text, or waits for a delivery to settle,
on the scratch database the `claimory worker` subprocesses use.

`python -m tests.sms.worker_rig seed TEXT` prints {"delivery": id, "key": idempotency key};
`python -m tests.sms.worker_rig wait ID SECONDS` prints the delivery once it left
queued/sending (or when the time is up).
"""

from __future__ import annotations

import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections  # noqa: E402

from claimory.messaging.models import Delivery  # noqa: E402
from claimory.messaging.services import message_send  # noqa: E402
from tests.factories import make_claim, make_location  # noqa: E402


def seed(text: str) -> dict:
    call_command("migrate", verbosity=0)
    location = make_location(slug="crash-test", name="Crash Test Collision",
                             sms_number="+15125550199")
    claim = make_claim(location, phone="(512) 555-0142")
    message = message_send(claim=claim, body=text)  # queues the delivery's task on commit
    delivery = Delivery.objects.get(message=message)
    return {"delivery": delivery.pk, "key": str(delivery.idempotency_key)}


def _row(pk: int) -> dict:
    d = Delivery.objects.get(pk=pk)
    return {"state": d.state, "provider_id": d.provider_id, "attempts": d.attempts,
            "last_error": d.last_error}


def wait(pk: int, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        close_old_connections()
        row = _row(pk)
        if row["state"] not in ("queued", "sending") or time.monotonic() > deadline:
            return row
        time.sleep(0.2)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "seed":
        print(json.dumps(seed(sys.argv[2])))
    elif command == "wait":
        print(json.dumps(wait(int(sys.argv[2]), float(sys.argv[3]))))
    else:
        print(json.dumps(_row(int(sys.argv[2]))))
