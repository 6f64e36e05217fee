"""POST /api/v1/claims with Idempotency-Key: retries replay the first answer, never a 2nd claim."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from claimory.api import idempotency
from claimory.api.models import IdempotentRequest
from claimory.claims.models import Claim
from tests.api.conftest import ApiClient, claim_body


def _post(api, key, body=None):
    return api.post("/api/v1/claims", body or claim_body(), headers={"Idempotency-Key": key})


def test_a_retry_replays_the_first_answer_and_opens_no_second_claim(api):
    first = _post(api, "order-7f3a")
    assert first.status_code == 201, first.content
    again = _post(api, "order-7f3a")
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Claim.objects.count() == 1


def test_key_order_and_whitespace_do_not_make_a_different_request(api):
    body = claim_body()
    assert _post(api, "k-1", body).status_code == 201
    reordered = dict(reversed(list(body.items())))
    assert _post(api, "k-1", reordered).status_code == 201
    assert Claim.objects.count() == 1


def test_same_key_with_another_body_is_a_clear_409(api):
    assert _post(api, "k-2").status_code == 201
    other = _post(api, "k-2", claim_body(claim_number="OTHER-1"))
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Claim.objects.count() == 1


def test_without_a_key_every_post_opens_a_claim(api):
    api.post("/api/v1/claims", claim_body())
    api.post("/api/v1/claims", claim_body())
    assert Claim.objects.count() == 2


def test_keys_belong_to_one_api_key(api, other_api):
    assert _post(api, "shared").status_code == 201
    theirs = _post(other_api, "shared")
    assert theirs.status_code == 201
    assert theirs.json()["id"] != _post(api, "shared").json()["id"]
    assert Claim.objects.count() == 2


def test_a_rejected_request_does_not_spend_the_key(api):
    bad = _post(api, "k-3", claim_body(customer={"name": "Ana", "phone": "12"}))
    assert bad.status_code == 422
    fixed = _post(api, "k-3")
    assert fixed.status_code == 201
    assert Claim.objects.count() == 1


def test_keys_expire_after_a_day(api):
    first = _post(api, "k-4")
    IdempotentRequest.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    later = _post(api, "k-4", claim_body(claim_number="NEXT-DAY"))
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]


def test_a_retry_while_the_first_still_runs_is_a_409(api, api_key):
    _post(api, "k-5")
    IdempotentRequest.objects.update(status=0, body="")  # as if the first were still running
    busy = _post(api, "k-5")
    assert busy.status_code == 409 and busy["Retry-After"] == "1"
    assert busy.json()["error"]["code"] == "idempotency_key_in_progress"
    IdempotentRequest.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    taken_over = _post(api, "k-5")  # abandoned by a dead worker: the retry runs
    assert taken_over.status_code == 201


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "caf\u00e9"])
def test_malformed_keys_are_422(api, key):
    response = Client().post("/api/v1/claims", claim_body(), content_type="application/json",
                             headers={"Authorization": f"Bearer {api.key}",
                                      "Idempotency-Key": key})
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["error"]["fields"]


def test_unauthenticated_requests_reserve_nothing(anon, db):
    assert _post(anon, "k-6").status_code == 401
    assert not IdempotentRequest.objects.exists()


def test_the_header_is_documented(db):
    from tests.api.openapi_check import spec

    parameters = spec()["paths"]["/api/v1/claims"]["post"]["parameters"]
    assert [p["name"] for p in parameters if p["in"] == "header"] == ["Idempotency-Key"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_open_one_claim(api_key, location):
    """Eight threads send the same keyed request at once: one claim; the rest replay or 409."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL (DATABASE_URL)")
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def send():
        client = ApiClient(api_key)
        barrier.wait()
        statuses.append(_post(client, "race").status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Claim.objects.count() == 1
    assert set(statuses) <= {201, 409} and 201 in statuses
    assert idempotency.TTL == dt.timedelta(hours=24)
