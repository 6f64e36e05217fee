"""The technician's capture page and the claim page's gallery: uploads (page script and plain
form), retries by upload id, clear refusals, the staff actions and who may use them."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from claimory.claims.models import ClaimEvent, EventType
from claimory.claims.services import portal_token
from claimory.photos import uploads
from claimory.photos.models import Kind, Photo, Source, State
from claimory.photos.selectors import portal_gallery
from claimory.photos.services import photo_receive
from tests.photos import samples

pytestmark = pytest.mark.django_db(transaction=True)

XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _jpeg(name: str = "IMG_0001.jpg", **kw) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.jpeg_with_gps(320, 240, **kw),
                              content_type="image/jpeg")


def _new_url(claim) -> str:
    return reverse("backoffice:photo_new", args=[claim.pk])


def _upload(client, claim, *, key="k-1", headers=XHR, **fields):
    data = {"photos": fields.pop("photos", None) or _jpeg(), "stage": claim.stage.slug,
            "upload_key": key, **fields}
    return client.post(_new_url(claim), data, headers=headers)


def _bay_photo(claim, **kw) -> Photo:
    photo = photo_receive(claim=claim, upload=samples.jpeg_with_gps(320, 240),
                          source=Source.BAY, name="bay.jpg", **kw)
    photo.refresh_from_db()
    return photo


# ---- the capture page ---------------------------------------------------------------------

def test_capture_page_is_made_for_the_phone_camera(technician, claim):
    claim.stage = claim.location.stages.get(slug="teardown")
    claim.save(update_fields=["stage"])
    html = _client(technician).get(_new_url(claim)).content.decode()
    file_input = re.search(r"<input[^>]*type=\"file\"[^>]*>", html).group(0)
    for attr in ('accept="image/*"', 'capture="environment"', "multiple"):
        assert attr in file_input
    assert re.search(r'<option value="teardown" selected>', html)  # the claim's current stage
    assert 'name="internal"' in html and 'role="switch"' in html
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'name="upload_key" value="[a-z0-9]{32}"', html)
    assert "photo-upload.js" in html


def test_script_upload_answers_json_and_the_photo_is_processed(technician, claim):
    response = _upload(_client(technician), claim, caption="Rear bumper off",
                       internal="on", stage="teardown")
    assert response.status_code == 201, response.content
    body = response.json()
    photo = Photo.objects.get()
    assert body["id"] == photo.pk and body["state"] == State.READY  # immediate worker in tests
    assert body["thumb_url"] == reverse("backoffice:photo_thumb", args=[photo.pk])
    assert body["internal"] is True and body["caption"] == "Rear bumper off"
    assert body["stage"] == "teardown"
    assert (photo.source, photo.uploaded_by, photo.upload_key) == (Source.BAY, technician, "k-1")
    # The thumbnail it names is served to the same session, clean.
    thumb = _client(technician).get(body["thumb_url"])
    assert thumb.status_code == 200
    assert not samples.has_gps(b"".join(thumb.streaming_content))


def test_a_retry_with_the_same_upload_key_never_makes_a_second_photo(technician, claim):
    client = _client(technician)
    first = _upload(client, claim, key="retry-me")
    second = _upload(client, claim, key="retry-me")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Photo.objects.count() == 1
    assert ClaimEvent.objects.filter(claim=claim, type=EventType.PHOTO).count() == 1
    assert _upload(client, claim, key="another").json()["id"] != first.json()["id"]


def test_photo_state_is_polled_by_the_page(technician, claim):
    photo = Photo.objects.create(claim=claim, source=Source.BAY, state=State.RECEIVED)
    body = _client(technician).get(reverse("backoffice:photo_state", args=[photo.pk])).json()
    assert body["state"] == "received" and body["thumb_url"] == ""


@pytest.mark.parametrize(("upload", "status", "words"), [
    (SimpleUploadedFile("car.jpg", b"not a photo, just words\n" * 20), 415, "not a photo"),
    (SimpleUploadedFile("card.pdf", samples.minimal_pdf()), 415, "Please send a photo"),
    (SimpleUploadedFile("empty.jpg", b""), 400, "empty"),
])
def test_files_that_are_not_photos_get_a_clear_json_error(technician, claim, upload, status,
                                                           words):
    response = _upload(_client(technician), claim, photos=upload)
    assert response.status_code == status, response.content
    assert words in response.json()["error"]
    assert not Photo.objects.exists()


def test_a_photo_over_the_size_limit_is_a_413(technician, claim, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_IMAGE_BYTES", 1000)
    response = _upload(_client(technician), claim)
    assert response.status_code == 413
    assert "too large" in response.json()["error"]


def test_an_unknown_stage_or_no_file_is_a_400_with_the_reason(technician, claim):
    client = _client(technician)
    response = _upload(client, claim, stage="nope")
    assert response.status_code == 400
    assert response.json()["error"] == "Choose one of this shop's stages."
    response = client.post(_new_url(claim), {"stage": claim.stage.slug}, headers=XHR)
    assert response.status_code == 400 and "at least one photo" in response.json()["error"]
    response = _upload(client, claim, key="bad key!")
    assert response.status_code == 400 and "upload id" in response.json()["error"]
    assert not Photo.objects.exists()


def test_without_the_script_the_form_posts_every_file_and_comes_back(technician, claim):
    client = _client(technician)
    data = {"photos": [_jpeg("a.jpg"), _jpeg("b.jpg", colour=(9, 9, 9)),
                       SimpleUploadedFile("notes.jpg", b"hello there\n" * 40)],
            "stage": "teardown", "internal": "on", "upload_key": "batch1"}
    response = client.post(_new_url(claim), data)
    assert response.status_code == 302
    assert response["Location"] == _new_url(claim) + "?stage=teardown&internal=1"
    page = client.get(response["Location"]).content.decode()
    assert "2 photos added" in page
    assert "Not added: notes.jpg: This file is not a photo" in page
    assert re.search(r'<option value="teardown" selected>', page)
    assert re.search(r'name="internal"[^>]*checked', page)
    photos = list(Photo.objects.order_by("id"))
    assert [p.upload_key for p in photos] == ["batch1-0", "batch1-1"]
    assert all(p.internal and p.stage == "teardown" for p in photos)
    # The browser re-sends the same post (back, reload): nothing is added twice.
    client.post(_new_url(claim), {**data, "photos": [_jpeg("a.jpg"), _jpeg("b.jpg")]})
    assert Photo.objects.count() == 2


def test_without_the_script_a_form_error_shows_on_the_page(technician, claim):
    response = _client(technician).post(_new_url(claim), {"stage": claim.stage.slug})
    assert response.status_code == 400
    assert "Choose at least one photo." in response.content.decode()


def test_a_request_over_the_total_upload_cap_is_refused_before_it_is_read(technician, claim,
                                                                        settings):
    settings.MAX_UPLOAD_REQUEST_BYTES = 2000
    client = _client(technician)
    response = _upload(client, claim)
    assert response.status_code == 413
    assert "Too large to send at once" in response.json()["error"]
    plain = _upload(client, claim, headers={})
    assert plain.status_code == 413 and b"per upload" in plain.content
    assert not Photo.objects.exists()


# ---- the gallery on the claim page --------------------------------------------------------

def _claim_html(user, claim) -> str:
    return _client(user).get(reverse("backoffice:claim", args=[claim.pk])).content.decode()


def test_gallery_shows_photos_in_time_order_with_stage_badges_and_placeholders(owner, claim):
    first = _bay_photo(claim, caption="First look", stage="estimate")
    second = _bay_photo(claim, internal=True)
    waiting = Photo.objects.create(claim=claim, source=Source.BAY, state=State.RECEIVED,
                                   stage="teardown")
    card = photo_receive(claim=claim, upload=samples.minimal_pdf(), source=Source.CUSTOMER,
                         kind=Kind.INSURANCE_CARD, name="my card.pdf")
    html = _claim_html(owner, claim)
    photos = html[html.index('id="claim-photos"'):]
    order = [int(n) for n in re.findall(r'id="photo-(\d+)"', photos)]
    assert order == [first.pk, second.pk, waiting.pk, card.pk]
    assert "First look" in photos and "Processing…" in photos
    assert reverse("backoffice:photo_thumb", args=[first.pk]) in photos
    tile = photos[photos.index(f'id="photo-{second.pk}"'):photos.index(f'id="photo-{waiting.pk}"')]
    assert "badge--internal" in tile and "Make public" in tile
    customer = photos[photos.index("From the customer"):]
    assert "Insurance card" in customer and "my card.pdf" in customer
    assert reverse("backoffice:photo_file", args=[card.pk]) in customer
    assert reverse("backoffice:photo_new", args=[claim.pk]) in html


def test_empty_gallery_says_so(owner, claim):
    html = _claim_html(owner, claim)
    assert "No photos from the shop yet." in html and "Nothing sent yet." in html


def test_staff_download_a_customer_pdf_through_their_session(owner, claim, outsider):
    card = photo_receive(claim=claim, upload=samples.minimal_pdf(), source=Source.CUSTOMER,
                         kind=Kind.INSURANCE_CARD, name="card.pdf")
    url = reverse("backoffice:photo_file", args=[card.pk])
    response = _client(owner).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert _client(outsider).get(url).status_code == 404


def test_the_live_fragment_carries_the_gallery(owner, claim):
    _bay_photo(claim, caption="Live one")
    html = _client(owner).get(reverse("backoffice:claim_live", args=[claim.pk])).content.decode()
    assert 'id="claim-photos" data-live-region' in html and "Live one" in html


def test_technicians_add_photos_but_see_no_manage_actions(technician, claim):
    photo = _bay_photo(claim)
    html = _claim_html(technician, claim)
    assert reverse("backoffice:photo_new", args=[claim.pk]) in html
    assert reverse("backoffice:photo_hide", args=[photo.pk]) not in html
    client = _client(technician)
    for name in ("photo_hide", "photo_internal", "photo_delete"):
        response = client.post(reverse(f"backoffice:{name}", args=[photo.pk]))
        assert response.status_code == 403, name
        assert "Only owners, managers and production managers can" in response.content.decode()
    photo.refresh_from_db()
    assert photo.hidden_at is None and not photo.internal


# ---- hide, internal, delete: the customer's page follows -------------------------------------

def test_hide_show_internal_and_delete_change_what_the_customer_sees(production, claim):
    photo = _bay_photo(claim)
    client = _client(production)
    portal_url = f"/c/{portal_token(claim)}/photos/{photo.pk}/thumb.jpg"
    assert list(portal_gallery(claim.pk)) == [photo]

    response = client.post(reverse("backoffice:photo_hide", args=[photo.pk]), {"hidden": "1"})
    assert response.status_code == 302 and response["Location"].endswith("#photos")
    assert list(portal_gallery(claim.pk)) == []
    assert Client().get(portal_url).status_code == 404
    assert "badge--hidden" in _claim_html(production, claim)

    client.post(reverse("backoffice:photo_hide", args=[photo.pk]), {"hidden": "0"})
    assert list(portal_gallery(claim.pk)) == [photo]

    client.post(reverse("backoffice:photo_internal", args=[photo.pk]), {"internal": "1"})
    photo.refresh_from_db()
    assert photo.internal and list(portal_gallery(claim.pk)) == []
    client.post(reverse("backoffice:photo_internal", args=[photo.pk]), {"internal": "0"})
    assert list(portal_gallery(claim.pk)) == [photo]

    paths = [photo.file.name, photo.thumbnail.name]
    response = client.post(reverse("backoffice:photo_delete", args=[photo.pk]),
                           headers={"X-Requested-With": "fetch"})
    assert response.json() == {"ok": True, "message": "Photo deleted."}
    assert not Photo.objects.exists()
    assert not any(default_storage.exists(p) for p in paths)
    assert Client().get(portal_url).status_code == 404
    actions = [e.data.get("action") for e in ClaimEvent.objects.filter(
        claim=claim, type=EventType.PHOTO).order_by("id")]
    assert actions == [None, "hidden", "shown", "hidden", "shown", "deleted"]


# ---- another shop's claims and photos are 404 --------------------------------------------

def test_another_shops_claim_and_photos_are_404(owner, claim, outsider, other_claim):
    ours = _bay_photo(claim)
    theirs = _bay_photo(other_claim)
    client = _client(owner)
    assert client.get(_new_url(other_claim)).status_code == 404
    assert _upload(client, other_claim).status_code == 404
    for name in ("photo_state", "photo_file", "photo_thumb"):
        assert client.get(reverse(f"backoffice:{name}", args=[theirs.pk])).status_code == 404
    for name in ("photo_hide", "photo_internal", "photo_delete"):
        assert client.post(reverse(f"backoffice:{name}", args=[theirs.pk])).status_code == 404
    outsider_client = _client(outsider)
    for name in ("photo_hide", "photo_delete"):
        assert outsider_client.post(reverse(f"backoffice:{name}", args=[ours.pk])).status_code \
            == 404
    assert Photo.objects.count() == 2
    theirs.refresh_from_db()
    assert theirs.hidden_at is None
    assert json.loads(client.get(reverse("backoffice:photo_state", args=[ours.pk])).content)[
        "id"] == ours.pk
