"""The portal's gallery and the customer's files, seen from the outside: the page's HTML, the
token URLs and the event stream. What staff keep to themselves never reaches any of them."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from PIL import Image

from claimory.claims.services import portal_token, portal_token_revoke, portal_token_rotate
from claimory.photos.models import Kind, Source
from claimory.photos.services import photo_hide, photo_internal_set, photo_receive
from claimory.portal.page_cache import pages
from claimory.realtime.store import stream_open
from tests.photos import samples

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_page_cache():
    pages.clear()
    yield
    pages.clear()


def _bay(claim, **kw):
    photo = photo_receive(claim=claim, upload=samples.jpeg_with_gps(1600, 1200),
                          source=Source.BAY, name="IMG_1.jpg", **kw)
    photo.refresh_from_db()
    return photo


def _customer(claim, raw=None, *, kind=Kind.INSURANCE_CARD, name="card.jpg"):
    photo = photo_receive(claim=claim, upload=raw or samples.jpeg_with_gps(800, 600),
                          source=Source.CUSTOMER, kind=kind, name=name)
    photo.refresh_from_db()
    return photo


def _section(html, name):
    return re.search(rf'<section id="{name}".*?</section>', html, re.S).group(0)


def _page(claim, token=None):
    response = Client().get(f"/c/{token or portal_token(claim)}")
    assert response.status_code == 200
    return response.content.decode()


def _bytes(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_gallery_shows_a_published_photo_with_sizes_lazy_loading_and_alt_text(claim):
    photo = _bay(claim, caption="Left rear door, before")
    gallery = _section(_page(claim), "photos")
    assert " hidden" not in gallery.split(">", 1)[0]
    base = f"/c/{portal_token(claim)}/photos/{photo.pk}"
    assert f'<source type="image/webp" srcset="{base}/thumb.webp 480w, {base}/full.webp 1600w"' \
        in gallery
    img = re.search(r"<img [^>]*>", gallery).group(0)
    for needed in (f'src="{base}/thumb.jpg"', f'{base}/full.jpg 1600w', 'sizes="',
                   'width="480"', 'height="360"', 'loading="lazy"', 'decoding="async"',
                   'alt="Photo from the shop, Pictures, '):
        assert needed in img, needed
    assert "Left rear door, before" in img  # the caption is in the alt text too
    assert f'href="{base}/full.jpg"' in gallery  # without JS the tile opens the full JPEG
    assert 'class="stage-tag">Pictures<' in gallery
    # The time is in the shop's time zone (the claim's location: America/Chicago).
    assert re.search(r'<time datetime="[^"]+-0[56]:00">', gallery)


def test_no_published_photos_hides_the_section(claim):
    assert _section(_page(claim), "photos").startswith('<section id="photos" class="card" '
                                                       'aria-labelledby="photos-title" hidden>')


def test_photos_are_in_the_order_they_were_published(claim):
    first = _bay(claim, caption="first one")
    second = _bay(claim, caption="second one")
    gallery = _section(_page(claim), "photos")
    assert gallery.index(f"/photos/{first.pk}/") < gallery.index(f"/photos/{second.pk}/")


def test_an_internal_photo_is_never_in_the_portal_html_or_the_event_stream(claim):
    photo = _bay(claim, internal=True, caption="Frame damage, staff only")
    html = _page(claim)
    assert "Frame damage" not in html and f"/photos/{photo.pk}/" not in html
    replay = stream_open(portal_token(claim), 0).replay
    assert b"Frame damage" not in replay and b"photo" not in replay.lower()
    # Its URL answers like any unknown photo.
    assert Client().get(f"/c/{portal_token(claim)}/photos/{photo.pk}/thumb.jpg"
                        ).status_code == 404


def test_making_a_photo_internal_takes_it_and_its_caption_off_portal_and_stream(claim,
                                                                               front_desk):
    photo = _bay(claim, caption="Shows the VIN plate")
    token = portal_token(claim)
    assert "Shows the VIN plate" in _page(claim, token)
    photo_internal_set(photo, internal=True, actor=front_desk)
    assert "Shows the VIN plate" not in _page(claim, token)
    after_switch = stream_open(token, 0).replay.split(b"\n\n")[-2]
    assert b'"action":"hidden"' in after_switch and b"VIN plate" not in after_switch


def test_hidden_photo_url_is_a_404_and_it_leaves_the_gallery(claim, front_desk):
    photo = _bay(claim)
    url = f"/c/{portal_token(claim)}/photos/{photo.pk}/full.webp"
    photo_hide(photo, hidden=True, actor=front_desk)
    assert Client().get(url).status_code == 404
    assert f"/photos/{photo.pk}/" not in _page(claim)


@pytest.mark.parametrize("change", ["revoke", "rotate"])
def test_a_revoked_or_rotated_link_takes_its_photo_and_file_urls_with_it(claim, front_desk,
                                                                         change):
    photo = _bay(claim)
    sent = _customer(claim)
    token = portal_token(claim)
    urls = [f"/c/{token}/photos/{photo.pk}/thumb.jpg", f"/c/{token}/photos/{sent.pk}/full.jpg"]
    assert all(Client().get(url).status_code == 200 for url in urls)
    if change == "revoke":
        portal_token_revoke(claim=claim, actor=front_desk)
    else:
        new = portal_token_rotate(claim=claim, actor=front_desk)
        assert Client().get(f"/c/{new}/photos/{photo.pk}/thumb.jpg").status_code == 200
    assert all(Client().get(url).status_code == 404 for url in urls)


def test_another_claims_token_cannot_fetch_a_photo_or_a_file_of_this_claim(claim, other_claim):
    photo = _bay(claim)
    sent = _customer(claim, samples.minimal_pdf(), name="estimate.pdf", kind=Kind.OTHER)
    other = portal_token(other_claim)
    for url in (f"/c/{other}/photos/{photo.pk}/full.jpg",
                f"/c/{other}/photos/{sent.pk}/file.pdf"):
        assert Client().get(url).status_code == 404
    assert "estimate.pdf" not in _page(other_claim)


@pytest.mark.parametrize("variant", ["full.jpg", "full.webp", "thumb.jpg", "thumb.webp"])
def test_no_served_variant_carries_exif_gps_through_the_portal_url(claim, variant):
    for photo in (_bay(claim), _customer(claim)):
        response = Client().get(f"/c/{portal_token(claim)}/photos/{photo.pk}/{variant}")
        assert response.status_code == 200
        body = _bytes(response)
        with Image.open(io.BytesIO(body)) as image:
            assert not image.getexif().get_ifd(0x8825), (photo.source, variant)
            assert image.getexif().get(0x0110) is None  # camera model gone too
        assert not samples.has_gps(body)


def test_what_you_sent_lists_the_customers_files_and_never_bay_photos(claim):
    _bay(claim, caption="bay photo caption")
    image = _customer(claim, name="my card.jpg")
    pdf = _customer(claim, samples.minimal_pdf(), name="registration.pdf",
                    kind=Kind.REGISTRATION)
    uploads = _section(_page(claim), "uploads")
    token = portal_token(claim)
    assert "What you sent" in uploads and "my card.jpg" in uploads
    assert f'src="/c/{token}/photos/{image.pk}/thumb.jpg"' in uploads
    assert f'href="/c/{token}/photos/{pdf.pk}/file.pdf" download>registration.pdf<' in uploads
    assert "VIN / registration" in uploads and "Insurance card" in uploads
    assert "bay photo caption" not in uploads
    response = Client().get(f"/c/{token}/photos/{pdf.pk}/file.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
