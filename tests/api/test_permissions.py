"""What a location API key may do comes from the permission matrix: every route names its
permission, so taking one away from API_KEY turns that route into a 403."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from claimory.money.supplements import supplement_add
from claimory.shops.permissions import API_KEY, MATRIX
from tests.api.conftest import claim_body
from tests.api.openapi_check import spec

MULTIPART = "multipart"  # a photo upload: a form with a real JPEG, not JSON

ESTIMATE = Path(__file__).parent.parent / "estimates" / "data" / "bms" / "est1-original.xml"
from tests.appointments.test_booking import body as booking_body  # noqa: E402
from tests.appointments.test_booking import next_weekday_at  # noqa: E402

EMAIL = Path(__file__).parent.parent / "mail" / "data" / "corpus" / "mail" / "002.eml"
# One valid request per operation; a new route must be added here (the test checks).
BODIES = {
    ("get", "/api/v1/location"): None,
    ("patch", "/api/v1/location"): {"tagline": "Fast and fair"},
    ("post", "/api/v1/claims"): claim_body(),
    ("get", "/api/v1/claims"): None,
    ("get", "/api/v1/claims/{claim_id}"): None,
    ("patch", "/api/v1/claims/{claim_id}"): {"ro_number": "RO-1"},
    ("post", "/api/v1/claims/{claim_id}/stage"): {"stage": "estimate"},
    ("get", "/api/v1/claims/{claim_id}/timeline"): None,
    ("get", "/api/v1/claims/{claim_id}/qr.svg"): None,
    ("post", "/api/v1/claims/{claim_id}/messages"): {"body": "Your car is ready."},
    ("get", "/api/v1/claims/{claim_id}/messages"): None,
    ("get", "/api/v1/claims/{claim_id}/supplements"): None,
    ("post", "/api/v1/claims/{claim_id}/supplements"): {"amount": "120.00"},
    ("patch", "/api/v1/claims/{claim_id}/supplements/{number}"): {"status": "approved"},
    ("post", "/api/v1/claims/{claim_id}/documents"): {"kind": "delivery_ack", "odometer": 7},
    ("get", "/api/v1/claims/{claim_id}/documents"): None,
    ("get", "/api/v1/claims/{claim_id}/documents/{document_id}"): None,
    ("post", "/api/v1/claims/{claim_id}/documents/{document_id}/void"): {"reason": "Mistake"},
    ("get", "/api/v1/claims/{claim_id}/documents/{document_id}/pdf"): None,
    ("post", "/api/v1/claims/{claim_id}/photos"): MULTIPART,
    ("get", "/api/v1/claims/{claim_id}/photos"): None,
    ("get", "/api/v1/claims/{claim_id}/photos/{photo_id}"): None,
    ("post", "/api/v1/estimates"): {"file": ESTIMATE},
    ("post", "/api/v1/mail"): {"file": EMAIL},
    ("get", "/api/v1/claims/{claim_id}/emails"): None,
    ("get", "/api/v1/claims/{claim_id}/participants"): None,
    ("post", "/api/v1/claims/{claim_id}/participants"): {"email": "ana@appraise.example"},
    ("post", "/api/v1/appointments"): booking_body(next_weekday_at(10)),
    ("get", "/api/v1/appointments"): None,
    ("get", "/api/v1/location/calendar"): None,
    ("get", "/api/v1/claims/{claim_id}/survey"): None,
}


@pytest.fixture
def documents(claim) -> dict[str, int]:
    """A document waiting for its signature, and one signed and sealed (for the PDF)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from claimory.esign.models import Document, Status
    from claimory.esign.services import document_send

    waiting = document_send(claim=claim, kind="delivery_ack", values={"odometer": "7"})
    sealed = document_send(claim=claim, kind="delivery_ack", values={"odometer": "8"})
    path = default_storage.save("signed/perm.pdf", ContentFile(b"%PDF-1.7\n"))
    Document.objects.filter(pk=sealed.pk).update(status=Status.SIGNED, signed_pdf=path)
    return {"waiting": waiting.pk, "sealed": sealed.pk}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the photo upload's files stay in the test


def _call(key: str, method: str, path: str, body, claim_id: int, documents=None):
    if "{document_id}" in path:
        which = "sealed" if path.endswith("/pdf") else "waiting"
        path = path.replace("{document_id}", str(documents[which]))
    if "{photo_id}" in path:
        from claimory.photos.models import Photo, Source

        photo = Photo.objects.create(claim_id=claim_id, source=Source.BAY)
        path = path.replace("{photo_id}", str(photo.pk))
    if body == MULTIPART:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.photos.samples import jpeg_with_gps

        return Client().post(path.replace("{claim_id}", str(claim_id)),
                             {"file": SimpleUploadedFile("a.jpg", jpeg_with_gps(64, 48))},
                             headers={"Authorization": f"Bearer {key}"})
    if isinstance(body, dict) and isinstance(body.get("file"), Path):  # estimate or email
        with body["file"].open("rb") as handle:
            return Client().post(path, {"file": handle},
                                 headers={"Authorization": f"Bearer {key}"})
    return Client().generic(
        method.upper(), path.replace("{claim_id}", str(claim_id)).replace("{number}", "1"),
        b"" if body is None else json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {key}"})


def test_every_operation_is_listed(db):
    operations = {(method, path) for path, ops in spec()["paths"].items() for method in ops}
    assert operations == set(BODIES)


@pytest.mark.parametrize(("method", "path"), sorted(BODIES))
def test_every_route_answers_403_without_its_permission(api_key, claim, documents, monkeypatch,
                                                        method, path):
    for perm, roles in list(MATRIX.items()):
        monkeypatch.setitem(MATRIX, perm, roles - {API_KEY})
    response = _call(api_key, method, path, BODIES[(method, path)], claim.pk, documents)
    assert response.status_code == 403, (method, path, response.content[:300])
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), sorted(BODIES))
def test_every_route_works_with_todays_matrix(api_key, claim, documents, method, path):
    if "{number}" in path:
        supplement_add(claim=claim, amount="75.00")
    response = _call(api_key, method, path, BODIES[(method, path)], claim.pk, documents)
    assert response.status_code in (200, 201), (method, path, response.content[:300])


def test_money_needs_its_own_permission(api_key, claim, monkeypatch):
    monkeypatch.setitem(MATRIX, "claim.money_edit", MATRIX["claim.money_edit"] - {API_KEY})
    path = "/api/v1/claims/{claim_id}"
    refused = _call(api_key, "patch", path, {"deductible": "0"}, claim.pk)
    assert refused.status_code == 403
    assert "estimate, deductible" in refused.json()["error"]["message"]
    claim.refresh_from_db()
    assert str(claim.deductible) == "500.00"
    assert _call(api_key, "patch", path, {"ro_number": "RO-2"}, claim.pk).status_code == 200
