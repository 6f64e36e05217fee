"""`/api/v1/claims/<id>/photos`: multipart upload, Idempotency-Key, clear refusals, reads,
and another location's claim or photo is a 404. Every answer is checked against OpenAPI."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claimory.photos import uploads
from claimory.photos.models import Photo, Source, State
from claimory.photos.services import photo_receive
from tests.api.openapi_check import check
from tests.photos import samples

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _post(key: str, claim_id: int, *, file=None, headers=None, **fields):
    path = f"/api/v1/claims/{claim_id}/photos"
    data = {"file": file or SimpleUploadedFile("bay.jpg", samples.jpeg_with_gps(320, 240)),
            **fields}
    response = Client().post(path, data, headers={"Authorization": f"Bearer {key}",
                                                  **(headers or {})})
    check("POST", path, response)
    return response


def test_add_a_photo_and_read_it_back(api, api_key, claim):
    response = _post(api_key, claim.pk, stage="teardown", internal="true",
                     caption="Frame rail\x00 measured")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == State.READY  # the immediate worker ran in tests
    assert (body["stage"], body["internal"], body["caption"]) == ("teardown", True,
                                                                   "Frame rail measured")
    assert body["source"] == "bay" and body["hidden"] is False
    assert response["Location"] == f"/api/v1/claims/{claim.pk}/photos/{body['id']}"
    photo = Photo.objects.get()
    assert photo.width == 320 and not photo.original.name

    listed = api.get(f"/api/v1/claims/{claim.pk}/photos")
    assert [p["id"] for p in listed.json()] == [body["id"]]
    one = api.get(f"/api/v1/claims/{claim.pk}/photos/{body['id']}")
    assert one.status_code == 200 and one.json() == {**body, "published_at": one.json()[
        "published_at"]}


def test_stage_defaults_to_the_claims_current_stage(api_key, claim):
    body = _post(api_key, claim.pk).json()
    assert body["stage"] == claim.stage.slug and body["internal"] is False


def test_idempotency_key_retry_returns_the_first_photo(api_key, claim):
    headers = {"Idempotency-Key": "photo-retry-1"}
    first = _post(api_key, claim.pk, headers=headers)
    again = _post(api_key, claim.pk, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Photo.objects.count() == 1
    # The same key with another file is a different request: 409, nothing added.
    other = SimpleUploadedFile("other.jpg", samples.jpeg_with_gps(200, 100))
    assert _post(api_key, claim.pk, file=other, headers=headers).status_code == 409
    assert Photo.objects.count() == 1


@pytest.mark.parametrize(("raw", "status", "code"), [
    (b"just text pretending to be a photo\n" * 10, 415, "unsupported_file"),
    (samples.minimal_pdf(), 415, "unsupported_file"),
    (samples.png_bomb(), 413, "image_too_large"),
    (b"", 400, "bad_file"),
])
def test_bad_files_get_a_json_reason(api_key, claim, raw, status, code):
    response = _post(api_key, claim.pk, file=SimpleUploadedFile("x.jpg", raw))
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["fields"]["file"]
    assert not Photo.objects.exists()


def test_a_file_over_the_limit_is_a_413(api_key, claim, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_IMAGE_BYTES", 1000)
    response = _post(api_key, claim.pk)
    assert response.status_code == 413
    assert "too large" in response.json()["error"]["message"]


def test_a_request_over_the_total_cap_is_a_json_413(api_key, claim, settings):
    settings.MAX_UPLOAD_REQUEST_BYTES = 2000
    response = _post(api_key, claim.pk)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_unknown_stage_and_missing_file_are_422(api_key, claim):
    response = _post(api_key, claim.pk, stage="nope")
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_stage"
    path = f"/api/v1/claims/{claim.pk}/photos"
    missing = Client().post(path, {"stage": "teardown"},
                            headers={"Authorization": f"Bearer {api_key}"})
    check("POST", path, missing)
    assert missing.status_code == 422
    assert not Photo.objects.exists()


def test_another_locations_claim_and_photo_are_404(api, api_key, other_key, claim, other_claim):
    assert _post(api_key, other_claim.pk).status_code == 404
    theirs = photo_receive(claim=other_claim, upload=samples.jpeg_with_gps(100, 80),
                           source=Source.BAY)
    assert api.get(f"/api/v1/claims/{other_claim.pk}/photos").status_code == 404
    assert api.get(f"/api/v1/claims/{other_claim.pk}/photos/{theirs.pk}").status_code == 404
    # Our claim, their photo id: still a 404.
    assert api.get(f"/api/v1/claims/{claim.pk}/photos/{theirs.pk}").status_code == 404
    assert api.get(f"/api/v1/claims/{claim.pk}/photos/{2**63}").status_code == 404
    assert Photo.objects.filter(claim=claim).count() == 0


def test_openapi_lists_caller_stages_for_the_photo_form(api):
    document = api.get("/api/v1/openapi.json").json()
    form = document["paths"]["/api/v1/claims/{claim_id}/photos"]["post"]["requestBody"][
        "content"]["multipart/form-data"]["schema"]
    assert "teardown" in form["properties"]["stage"]["enum"]
    assert "" in form["properties"]["stage"]["enum"]
    assert form["required"] == ["file"]
