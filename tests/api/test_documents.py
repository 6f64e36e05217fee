"""API documents: send (with Idempotency-Key), list, read, void, the signed PDF (409 before),
exact per-kind bodies, and another location's claim or document is a 404."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from claimory.core import durable
from claimory.esign import services
from claimory.esign.models import Action, Document, Status
from tests.api.openapi_check import spec

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_worker():
    with mock.patch.object(durable, "enqueue_now"):
        yield


def url(claim, *rest) -> str:
    return "/".join([f"/api/v1/claims/{claim.pk}/documents", *map(str, rest)])


BETTERMENT = {"kind": "betterment", "amount": "180.00", "parts": "Two front tyres"}


def test_send_a_document(api, claim):
    response = api.post(url(claim), BETTERMENT)
    assert response.status_code == 201, response.content
    body = response.json()
    document = Document.objects.get()
    assert body["id"] == document.pk and body["status"] == "sent"
    assert body["kind"] == "betterment" and body["title"] == "Betterment approval"
    assert "Two front tyres" in body["body"] and body["fields"]["amount"] == "$180.00"
    assert body["content_sha256"] == document.content_sha256
    assert body["pdf_url"] is None and body["signed_at"] is None
    assert body["portal_url"].startswith("http")
    assert response["Location"] == url(claim, document.pk)
    assert document.audit.filter(action=Action.SENT).exists()
    event = claim.events.get(type="document")
    assert event.channel == "api" and event.actor_label.startswith("API key")


@pytest.mark.parametrize("body", [
    {"kind": "repair_authorization"},
    {"kind": "repair_authorization", "storage_per_day": 45, "towing": None},
    {"kind": "supplement_approval", "supplement_number": 2, "amount": 640.5},
    {"kind": "delivery_ack", "odometer": 48213},
])
def test_every_kind_can_be_sent(api, claim, body):
    assert api.post(url(claim), body).status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "sticker"}, "kind"),
    ({}, "kind"),
    ({"kind": "betterment", "amount": "180"}, "parts"),
    ({"kind": "betterment", "amount": "lots", "parts": "Tyres"}, "amount"),
    ({"kind": "betterment", "amount": "1", "parts": "\u200b"}, "parts"),
    ({"kind": "delivery_ack", "odometer": "12"}, "odometer"),
    ({"kind": "delivery_ack", "odometer": 12, "amount": "5"}, "amount"),  # another kind's field
    ({"kind": "supplement_approval", "supplement_number": 0, "amount": "5"}, "supplement_number"),
])
def test_bad_bodies_are_422_naming_the_field(api, claim, body, field):
    response = api.post(url(claim), body)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not Document.objects.exists()


def test_broken_json_is_400(api, claim):
    assert api.post(url(claim), raw=b"{nope").status_code == 400


def test_idempotency_key_sends_once(api, claim):
    headers = {"Idempotency-Key": "doc-7f3a"}
    first = api.post(url(claim), BETTERMENT, headers=headers)
    again = api.post(url(claim), BETTERMENT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Document.objects.count() == 1
    other = api.post(url(claim), {**BETTERMENT, "amount": "9"}, headers=headers)
    assert other.status_code == 409


def test_list_and_get(api, claim):
    first = api.post(url(claim), BETTERMENT).json()
    second = api.post(url(claim), {"kind": "delivery_ack", "odometer": 5}).json()
    listed = api.get(url(claim)).json()
    assert [d["id"] for d in listed] == [second["id"], first["id"]]
    assert api.get(url(claim, first["id"])).json() == first


def test_void_and_a_signed_document_cannot_be_voided(api, claim):
    sent = api.post(url(claim), BETTERMENT).json()
    assert api.post(url(claim, sent["id"], "void"), {"reason": " "}).status_code == 422
    response = api.post(url(claim, sent["id"], "void"), {"reason": "Wrong amount"})
    assert response.status_code == 200
    assert response.json()["status"] == "void" and response.json()["void_reason"] == \
        "Wrong amount"
    signed = api.post(url(claim), BETTERMENT).json()
    Document.objects.filter(pk=signed["id"]).update(status=Status.SIGNED)
    response = api.post(url(claim, signed["id"], "void"), {"reason": "Too late"})
    assert response.status_code == 409


def test_pdf_is_409_before_signing_then_the_pdf(api, claim):
    sent = api.post(url(claim), BETTERMENT).json()
    response = api.get(url(claim, sent["id"], "pdf"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_signed_yet"
    assert "not signed yet" in response.json()["error"]["message"]
    Document.objects.filter(pk=sent["id"]).update(status=Status.SIGNED)
    assert api.get(url(claim, sent["id"], "pdf")).json()["error"]["code"] == "not_sealed_yet"
    path = default_storage.save(f"signed/{claim.pk}/api.pdf", ContentFile(b"%PDF-1.7\n%x\n"))
    Document.objects.filter(pk=sent["id"]).update(signed_pdf=path)
    response = api.get(url(claim, sent["id"], "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert api.get(url(claim, sent["id"])).json()["pdf_url"] == url(claim, sent["id"], "pdf")


def test_another_locations_claim_and_document_are_404(api, other_api, claim, other_claim):
    ours = api.post(url(claim), BETTERMENT).json()
    for path in (url(claim), url(claim, ours["id"]), url(claim, ours["id"], "pdf")):
        assert other_api.get(path).status_code == 404, path
    assert other_api.post(url(claim), BETTERMENT).status_code == 404
    assert other_api.post(url(claim, ours["id"], "void"), {"reason": "x"}).status_code == 404
    # Our document's id under their own claim is not found either.
    assert other_api.get(url(other_claim, ours["id"])).status_code == 404
    assert other_api.get(url(other_claim, 2**70)).status_code in (404, 422)
    assert Document.objects.get(pk=ours["id"]).status == Status.SENT


def test_without_a_key_it_is_401(anon, claim):
    assert anon.get(url(claim)).status_code == 401


def test_the_body_is_published_as_one_exact_schema_per_kind(db):
    body = spec()["paths"]["/api/v1/claims/{claim_id}/documents"]["post"]["requestBody"]
    branches = body["content"]["application/json"]["schema"]["oneOf"]
    by_kind = {b["properties"]["kind"]["const"]: b for b in branches}
    assert set(by_kind) == {"repair_authorization", "betterment", "supplement_approval",
                            "delivery_ack"}
    assert set(by_kind["betterment"]["required"]) == {"kind", "amount", "parts"}
    assert all(b["additionalProperties"] is False for b in branches)


def test_a_document_sent_by_staff_reads_the_same(api, claim, front_desk):
    document = services.document_send(claim=claim, kind="delivery_ack",
                                      values={"odometer": "7"}, actor=front_desk)
    assert api.get(url(claim, document.pk)).json()["content_sha256"] == document.content_sha256
