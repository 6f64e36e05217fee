"""Two answers posted at the same instant record one: the conditional UPDATE decides, the
other gets "already answered" (409). Needs PostgreSQL (DATABASE_URL); SQLite serializes."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from claimory.claims.models import EventType
from claimory.claims.services import claim_stage_set, portal_token
from claimory.survey.models import FollowUp, Survey


@pytest.mark.django_db(transaction=True)
def test_simultaneous_answers_record_one(location, claim, front_desk):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL (DATABASE_URL)")
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    path = f"/c/{portal_token(claim)}/survey"
    n = 6
    barrier = threading.Barrier(n)
    statuses, errors = [], []

    def post(score: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"10.0.0.{score}")
            barrier.wait()
            statuses.append(client.post(path, {"overall": str(score)}).status_code)
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(1 + i % 5,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(statuses) == [303] + [409] * (n - 1)
    survey = Survey.objects.get(claim=claim)
    events = claim.events.filter(type=EventType.SURVEY, data__action="answered")
    assert events.count() == 1
    assert events.get().data["overall"] == survey.overall
    assert FollowUp.objects.filter(survey=survey).count() == (1 if survey.overall <= 3 else 0)
