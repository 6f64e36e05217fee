"""Seed a scratch database for the schemathesis run: migrate, one shop, one API key.

Run as ``python -m tests.api.schemathesis_seed`` with the live server's environment; prints the
key on stdout.
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")
django.setup()

from django.core.management import call_command  # noqa: E402

from claimory.esign.services import document_send  # noqa: E402
from claimory.shops.services import apikey_create  # noqa: E402
from tests.factories import make_claim, make_location  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    location = make_location()
    claim = make_claim(location)  # something to read before the run creates its own
    document_send(claim=claim, kind="delivery_ack", values={"odometer": "48213"})
    print(apikey_create(location=location, name="schemathesis")[1])


if __name__ == "__main__":
    main()
