"""Test helper process: changes claims through the services on the live servers' database.

Reads one JSON command per line on stdin and answers one JSON line on stdout. It is a separate
process (like a staff request handled by another worker) with its own environment, so its
after-commit doorbells go through the configured backend exactly as in production.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import traceback

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from claimory.claims import services  # noqa: E402
from claimory.claims.events import event_record  # noqa: E402
from claimory.claims.models import Channel, Claim, ClaimEvent, EventType  # noqa: E402
from claimory.shops.models import Location  # noqa: E402
from tests.factories import make_claim, make_location  # noqa: E402

OPS = {}


def op(fn):
    OPS[fn.__name__] = fn
    return fn


def _claim(claim_id: int) -> Claim:
    return Claim.objects.select_related("location", "stage").get(pk=claim_id)


@op
def migrate():
    call_command("migrate", verbosity=0)
    return {}


@op
def shop():
    return {"location": make_location().pk}


@op
def claim(location: int, **fields):
    made = make_claim(Location.objects.get(pk=location), **fields)
    return {"id": made.pk, "token": services.portal_token(made), "seq": made.event_seq}


@op
def stage(claim: int, stage: str):
    changed = services.claim_stage_set(claim=_claim(claim), stage=stage)
    return {"seq": changed.event_seq}


@op
def eta(claim: int, days: int, reason: str = ""):
    when = timezone.now().date() + dt.timedelta(days=days)
    changed = services.claim_eta_set(claim=_claim(claim), eta=when, reason=reason)
    return {"seq": changed.event_seq}


@op
def note(claim: int, body: str):
    target = _claim(claim)
    services.claim_note_add(claim=target, body=body, actor=None)
    return {"seq": _claim(claim).event_seq}


@op
def update(claim: int, changes: dict):
    changed = services.claim_update(claim=_claim(claim), changes=changes)
    return {"seq": changed.event_seq}


@op
def message(claim: int, body: str, **extra):
    target = _claim(claim)
    with transaction.atomic():
        event = event_record(claim=target, type=EventType.MESSAGE, channel=Channel.PORTAL,
                             customer_visible=True,
                             data={"body": body, "direction": "out", "sender": "Frank"})
        if extra:
            # event_record refuses undeclared keys; a row that has them anyway (an old row,
            # a bug) must still not leak them, so write them behind its back.
            ClaimEvent.objects.filter(pk=event.pk).update(data={**event.data, **extra})
    return {"seq": target.event_seq}


@op
def revoke(claim: int):
    services.portal_token_revoke(claim=_claim(claim))
    return {"seq": _claim(claim).event_seq}


@op
def rotate(claim: int):
    token = services.portal_token_rotate(claim=_claim(claim))
    return {"token": token, "seq": _claim(claim).event_seq}


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = {"ok": True, **OPS[request.pop("op")](**request)}
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails loudly
            answer = {"ok": False, "error": repr(exc), "trace": traceback.format_exc()}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
