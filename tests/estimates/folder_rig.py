"""Helper process for the watched-folder test and bench: works on the scratch database the
`claimory worker` subprocess uses.

`python -m tests.estimates.folder_rig seed FOLDER` migrates, makes a location and points its
watched folder at FOLDER; `python -m tests.estimates.folder_rig wait VIN SECONDS` prints the
claim with that VIN once it exists (or {} when the time is up).
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

from claimory.claims.models import Claim  # noqa: E402
from claimory.estimates.models import ImportFolder  # noqa: E402
from tests.factories import make_location  # noqa: E402


def seed(folder: str) -> dict:
    call_command("migrate", verbosity=0)
    location = make_location(slug="watched", name="Watched Collision")
    ImportFolder.objects.create(location=location, path=folder)
    return {"location": location.slug}


def wait(vin: str, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        close_old_connections()
        claim = Claim.objects.filter(vehicle__vin=vin).first()
        if claim is not None:
            return {"claim": claim.pk, "total": f"{claim.estimate_total}",
                    "claims": Claim.objects.count()}
        time.sleep(0.05)
    return {}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    result = seed(args[0]) if command == "seed" else wait(args[0], float(args[1]))
    print(json.dumps(result))
