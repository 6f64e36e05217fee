"""Upload → durable processing → served variants, proven on the bytes actually served."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from claimory.claims.models import ClaimEvent, EventType
from claimory.claims.services import portal_token, portal_token_revoke
from claimory.core import durable
from claimory.photos.models import Kind, Photo, Source, State
from claimory.photos.services import photo_delete, photo_hide, photo_receive
from claimory.photos.uploads import UploadRefused
from tests.photos import samples

pytestmark = pytest.mark.django_db(transaction=True)


def _bay(claim, raw, **kw):
    photo = photo_receive(claim=claim, upload=raw, source=Source.BAY, name="IMG_1.jpg", **kw)
    photo.refresh_from_db()  # the immediate task backend has run the worker's job
    return photo


def _served(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, b"".join(response.streaming_content)


def test_a_bay_photo_is_processed_once_and_every_served_variant_is_clean(claim):
    photo = _bay(claim, samples.jpeg_with_gps(2400, 1800))
    assert photo.state == State.READY  # the immediate task backend ran the worker's job
    photo.refresh_from_db()
    assert not photo.original.name  # the original, GPS and all, is gone
    assert (photo.width, photo.height) == (1600, 1200)
    assert (photo.thumb_width, photo.thumb_height) == (480, 360)
    events = ClaimEvent.objects.filter(claim=claim, type=EventType.PHOTO)
    assert events.count() == 1 and events.get().customer_visible
    assert durable.run_due() == 0  # nothing left, nothing runs twice

    client = Client()
    base = f"/c/{portal_token(claim)}/photos/{photo.pk}"
    for variant, content_type in [("full.jpg", "image/jpeg"), ("full.webp", "image/webp"),
                                  ("thumb.jpg", "image/jpeg"), ("thumb.webp", "image/webp")]:
        response, body = _served(client, f"{base}/{variant}")
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert not samples.has_gps(body), variant
        assert b"Pixel Test Camera" not in body


def test_orientation_is_applied_before_the_metadata_goes(claim):
    # Orientation 6: the camera held sideways; the stored photo is upright (portrait).
    photo = _bay(claim, samples.jpeg_with_gps(1200, 900, orientation=6))
    photo.refresh_from_db()
    assert (photo.width, photo.height) == (900, 1200)


def test_heic_from_an_iphone_is_accepted(claim):
    photo = _bay(claim, samples.heic())
    photo.refresh_from_db()
    assert photo.state == State.READY and photo.file.name.endswith(".jpg")
    with default_storage.open(photo.file_webp.name, "rb") as fh:
        assert not samples.has_gps(fh.read())


def test_a_text_file_named_jpg_is_refused_and_nothing_is_stored(claim):
    with pytest.raises(UploadRefused, match="not a photo"):
        _bay(claim, b"just some text, honestly a photo\n" * 10)
    assert not Photo.objects.exists()


def test_a_pixel_bomb_is_refused_before_decoding(claim):
    with pytest.raises(UploadRefused, match="megapixels"):
        _bay(claim, samples.png_bomb())
    assert not Photo.objects.exists()


def test_internal_photo_has_a_staff_only_event_and_no_portal_url(claim):
    photo = _bay(claim, samples.jpeg_with_gps(), internal=True)
    event = ClaimEvent.objects.get(claim=claim, type=EventType.PHOTO)
    assert not event.customer_visible
    response = Client().get(f"/c/{portal_token(claim)}/photos/{photo.pk}/thumb.jpg")
    assert response.status_code == 404


def test_the_same_upload_key_twice_makes_one_photo(claim):
    raw = samples.jpeg_with_gps()
    first = _bay(claim, raw, upload_key="tech-abc-1")
    again = _bay(claim, raw, upload_key="tech-abc-1")
    assert first.pk == again.pk and Photo.objects.count() == 1


def test_hidden_and_deleted_photos_leave_the_portal(claim, front_desk):
    photo = _bay(claim, samples.jpeg_with_gps())
    url = f"/c/{portal_token(claim)}/photos/{photo.pk}/thumb.webp"
    client = Client()
    assert client.get(url).status_code == 200
    photo_hide(photo, hidden=True, actor=front_desk)
    assert client.get(url).status_code == 404
    photo_hide(photo, hidden=False, actor=front_desk)
    assert client.get(url).status_code == 200
    paths = [photo.file.name, photo.thumbnail_webp.name]
    photo_delete(photo, actor=front_desk)
    assert client.get(url).status_code == 404
    assert not any(default_storage.exists(p) for p in paths)
    actions = list(ClaimEvent.objects.filter(claim=claim, type=EventType.PHOTO)
                   .order_by("seq").values_list("data__action", flat=True))
    assert actions == [None, "hidden", "shown", "deleted"]


def test_revoking_the_portal_link_revokes_its_photo_urls(claim, front_desk):
    photo = _bay(claim, samples.jpeg_with_gps())
    url = f"/c/{portal_token(claim)}/photos/{photo.pk}/full.jpg"
    assert Client().get(url).status_code == 200
    portal_token_revoke(claim=claim, actor=front_desk)
    assert Client().get(url).status_code == 404


def test_another_claims_token_cannot_open_the_photo(claim, other_claim):
    photo = _bay(claim, samples.jpeg_with_gps())
    url = f"/c/{portal_token(other_claim)}/photos/{photo.pk}/full.jpg"
    assert Client().get(url).status_code == 404


def test_a_customer_pdf_is_kept_as_sent_and_downloads_as_an_attachment(claim):
    pdf = samples.minimal_pdf()
    photo = photo_receive(claim=claim, upload=pdf, source=Source.CUSTOMER,
                          kind=Kind.INSURANCE_CARD, name='../../card "front".pdf')
    photo.refresh_from_db()
    assert photo.state == State.READY and photo.original_name == "card front.pdf"
    response, body = _served(Client(), f"/c/{portal_token(claim)}/photos/{photo.pk}/full.jpg")
    assert body == pdf
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    event = ClaimEvent.objects.get(claim=claim, type=EventType.UPLOAD)
    assert event.customer_visible and event.data["kind"] == "insurance_card"


@pytest.mark.parametrize("pdf, reason", [
    (samples.minimal_pdf(b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"),
     "scripts"),
    (samples.minimal_pdf()[:-20], "incomplete"),
])
def test_unsafe_or_broken_pdfs_are_refused(claim, pdf, reason):
    with pytest.raises(UploadRefused, match=reason):
        photo_receive(claim=claim, upload=pdf, source=Source.CUSTOMER, kind=Kind.OTHER)


def test_staff_cannot_upload_a_pdf_as_a_bay_photo(claim):
    with pytest.raises(UploadRefused, match="Please send a photo"):
        _bay(claim, samples.minimal_pdf())


def test_a_photo_that_cannot_be_decoded_fails_without_an_event(claim, monkeypatch):
    from claimory.photos import processing
    from claimory.photos.images import NotAnImage

    def broken(raw):
        raise NotAnImage("truncated")
    monkeypatch.setattr(processing, "image_variants", broken)
    photo = _bay(claim, samples.jpeg_with_gps())
    photo.refresh_from_db()
    assert photo.state == State.FAILED and "truncated" in photo.last_error
    assert not ClaimEvent.objects.filter(claim=claim, type=EventType.PHOTO).exists()
