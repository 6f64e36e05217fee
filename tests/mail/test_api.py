"""Email over the API: pipe a message in, read a claim's email and participants; answers
match the OpenAPI document; another shop's key never sees or files into our claims."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from claimory.mail.models import MailMessage
from claimory.shops.services import apikey_create
from tests.api.conftest import ApiClient
from tests.api.openapi_check import check
from tests.mail.rawmail import raw_mail
from tests.mail.world import build_world, corpus_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(location):
    return apikey_create(location=location, name="MTA")[1]


def _pipe(key, data: bytes, name="message.eml"):
    handle = io.BytesIO(data)
    handle.name = name
    response = Client().post("/api/v1/mail", {"file": handle},
                             headers={"Authorization": f"Bearer {key}"})
    check("POST", "/api/v1/mail", response)
    return response, json.loads(response.content)


def test_piping_a_message_files_it_once(location, front_desk, key):
    claims = build_world(location, front_desk)
    raw = corpus_files()[0].read_bytes()  # In-Reply-To our sent message on claim A
    response, body = _pipe(key, raw)
    assert response.status_code == 201
    assert body["claim_id"] == claims["A"].pk and body["status"] == "filed"
    assert body["reason"].startswith("thread: In-Reply-To")
    again, body_again = _pipe(key, raw)
    assert again.status_code == 200 and body_again["id"] == body["id"]
    assert MailMessage.objects.filter(direction="in").count() == 1


@pytest.mark.parametrize("data", [b"", b"\x89PNG\r\n\x1a\nnot mail", b"hello there\n"])
def test_not_an_email_is_a_422_and_nothing_is_stored(location, key, data):
    response, body = _pipe(key, data)
    assert response.status_code in (400, 422)
    assert "error" in body
    assert not MailMessage.objects.exists()


def test_another_shops_key_files_into_its_own_location_only(location, front_desk,
                                                           other_location):
    build_world(location, front_desk)
    theirs = apikey_create(location=other_location, name="Elsewhere")[1]
    response, body = _pipe(theirs, corpus_files()[0].read_bytes())
    assert response.status_code == 201
    assert body["claim_id"] is None and body["status"] == "unmatched"
    assert MailMessage.objects.get(pk=body["id"]).location == other_location


def test_a_claims_email_and_participants(location, front_desk, key, other_location):
    claims = build_world(location, front_desk)
    _pipe(key, raw_mail(sender="Ana <ana@appraise.example>", subject="RO-5521 inspection",
                        body="Thursday?\n\n> On Mon, shop wrote:\n> old"))
    api = ApiClient(key)
    claim = claims["A"]
    emails = json.loads(api.get(f"/api/v1/claims/{claim.pk}/emails").content)
    assert [e["text"] for e in emails if e["direction"] == "in"] == ["Thursday?"]
    assert emails[-1]["quoted"].startswith("> On Mon")
    added = api.post(f"/api/v1/claims/{claim.pk}/participants",
                     {"email": "Ana@Appraise.example", "name": "Ana", "role": "appraiser"})
    assert added.status_code == 201
    people = {p["email"]: p for p in json.loads(added.content)}
    assert people["ana@appraise.example"]["role"] == "appraiser"
    assert people["dana.whitfield@example.com"]["source"] == "claim"
    dup = api.post(f"/api/v1/claims/{claim.pk}/participants", {"email": "ana@appraise.example"})
    assert dup.status_code == 409
    bad = api.post(f"/api/v1/claims/{claim.pk}/participants", {"email": "not-an-address"})
    assert bad.status_code == 422
    other = ApiClient(apikey_create(location=other_location, name="x")[1])
    assert other.get(f"/api/v1/claims/{claim.pk}/emails").status_code == 404
    assert other.get(f"/api/v1/claims/{claim.pk}/participants").status_code == 404
    assert other.post(f"/api/v1/claims/{claim.pk}/participants",
                      {"email": "x@y.example"}).status_code == 404
