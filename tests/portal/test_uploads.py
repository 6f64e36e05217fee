"""POST /c/<token>/uploads: the customer's files, with and without JS, and every refusal."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claimory.claims.models import ClaimEvent, EventType
from claimory.claims.services import portal_token, portal_token_revoke
from claimory.photos.models import Kind, Photo, Source
from claimory.portal import upload_limit
from tests.photos import samples

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg(name="card.jpg"):
    return SimpleUploadedFile(name, samples.jpeg_with_gps(900, 600), content_type="image/jpeg")


def post(claim, files, *, kind=Kind.INSURANCE_CARD, note="", token=None, **headers):
    return Client().post(f"/c/{token or portal_token(claim)}/uploads",
                         {"kind": kind, "note": note, "files": files}, **headers)


def uploads_section(html):
    return re.search(r'<section id="uploads".*?</section>', html, re.S).group(0)


def test_a_no_js_upload_redirects_back_with_thanks_and_lands_on_the_timeline(claim):
    response = post(claim, [jpeg("card front.jpg"), jpeg("card back.jpg")],
                    note="Front and back")
    assert response.status_code == 303
    assert response["Location"] == f"/c/{portal_token(claim)}?uploaded=1#uploads"
    photos = Photo.objects.filter(claim=claim).order_by("id")
    assert [(p.source, p.kind, p.original_name, p.caption) for p in photos] == [
        (Source.CUSTOMER, Kind.INSURANCE_CARD, "card front.jpg", "Front and back"),
        (Source.CUSTOMER, Kind.INSURANCE_CARD, "card back.jpg", "Front and back")]
    events = ClaimEvent.objects.filter(claim=claim, type=EventType.UPLOAD)
    assert events.count() == 2 and all(e.customer_visible for e in events)
    page = Client().get(response["Location"]).content.decode()
    section = uploads_section(page)
    assert "Thanks — the shop has it." in section
    assert "card front.jpg" in section and "card back.jpg" in section


def test_a_pdf_is_accepted_and_listed_as_a_download(claim):
    pdf = SimpleUploadedFile("registration.pdf", samples.minimal_pdf(),
                             content_type="application/pdf")
    assert post(claim, [pdf], kind=Kind.REGISTRATION).status_code == 303
    photo = Photo.objects.get(claim=claim)
    assert photo.is_pdf and photo.kind == Kind.REGISTRATION
    section = uploads_section(Client().get(f"/c/{portal_token(claim)}").content.decode())
    assert f"/photos/{photo.pk}/file.pdf\" download>registration.pdf<" in section


def test_a_fetch_upload_answers_json_with_the_new_section(claim):
    response = post(claim, [jpeg()], HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    data = response.json()
    assert data["ids"] == [Photo.objects.get(claim=claim).pk]
    assert data["uploads"].startswith('<section id="uploads"')
    assert "Thanks — the shop has it." in data["uploads"] and "card.jpg" in data["uploads"]


def test_another_sites_origin_is_refused_and_nothing_is_stored(claim):
    response = post(claim, [jpeg()], HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    response = post(claim, [jpeg()], HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    assert not Photo.objects.exists()


def test_our_own_origin_is_accepted(claim):
    assert post(claim, [jpeg()], HTTP_ORIGIN="http://testserver").status_code == 303


def test_a_text_file_named_jpg_is_refused_with_a_clear_message_and_nothing_stored(
        claim, media_root):
    def fake():
        return SimpleUploadedFile("car.jpg", b"honestly a photo\n" * 20,
                                  content_type="image/jpeg")

    response = post(claim, [fake()])
    assert response.status_code == 400
    section = uploads_section(response.content.decode())
    error = re.search(r'<p id="upload-error"[^>]*>(.*?)</p>', section, re.S).group(1)
    assert "“car.jpg” was not sent" in error and "not a photo" in error
    assert 'aria-invalid="true"' in section
    assert not Photo.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]
    response = post(claim, [fake()], HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "not a photo" in response.json()["error"]


def test_files_before_a_refused_one_are_kept_and_the_message_says_so(claim):
    fake = SimpleUploadedFile("notes.jpg", b"plain text", content_type="image/jpeg")
    response = post(claim, [jpeg(), fake])
    assert response.status_code == 400
    assert "The 1 file before it was sent." in response.content.decode()
    assert Photo.objects.filter(claim=claim).count() == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "insurance_card"}, "Choose a photo or a PDF to send."),
    ({"kind": "passport"}, "Choose what you are sending"),
    ({"kind": ""}, "Choose what you are sending"),
])
def test_a_missing_file_or_kind_is_a_400_with_the_reason(claim, data, message):
    response = Client().post(f"/c/{portal_token(claim)}/uploads", data)
    assert response.status_code == 400
    assert message in uploads_section(response.content.decode())


def test_too_many_files_in_one_post_are_refused(claim):
    files = [jpeg(f"{n}.jpg") for n in range(upload_limit.MAX_FILES_PER_POST + 1)]
    response = post(claim, files)
    assert response.status_code == 400
    assert "at most 10 files at a time" in response.content.decode()
    assert not Photo.objects.exists()


def test_the_per_claim_file_cap_answers_429_with_retry_after(claim, monkeypatch):
    monkeypatch.setattr(upload_limit, "FILES_PER_WINDOW", 3)
    assert post(claim, [jpeg(), jpeg("b.jpg")]).status_code == 303
    response = post(claim, [jpeg("c.jpg"), jpeg("d.jpg")])  # 2 + 2 > 3
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "a lot of files in a short time" in response.content.decode()
    assert Photo.objects.count() == 2
    response = post(claim, [jpeg("c.jpg")], HTTP_ACCEPT="application/json")
    assert response.status_code == 201  # exactly at the cap
    response = post(claim, [jpeg("e.jpg")], HTTP_ACCEPT="application/json")
    assert response.status_code == 429 and response.json()["retry_after"] > 0


def test_a_revoked_link_cannot_upload(claim, front_desk):
    token = portal_token(claim)
    portal_token_revoke(claim=claim, actor=front_desk)
    assert post(claim, [jpeg()], token=token).status_code == 404
    assert not Photo.objects.exists()


def test_a_get_goes_back_to_the_section(claim):
    response = Client().get(f"/c/{portal_token(claim)}/uploads")
    assert response.status_code == 302
    assert response["Location"].endswith("#uploads")


def test_the_thanks_page_is_never_served_from_the_page_cache(claim):
    token = portal_token(claim)
    Client().get(f"/c/{token}")
    thanks = Client().get(f"/c/{token}?uploaded=1").content.decode()
    assert "Thanks — the shop has it." in thanks
    assert "Thanks — the shop has it." not in Client().get(f"/c/{token}").content.decode()
