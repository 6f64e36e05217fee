"""The page cache and the photo sections: every change the customer can see shows on the very
next load (the cache key counts the claim's photos and their newest ``updated_at``)."""

from __future__ import annotations

import re

import pytest

from claimory.photos.models import Kind, Source, State
from claimory.photos.processing import photo_process
from claimory.photos.services import (
    photo_delete,
    photo_hide,
    photo_internal_set,
    photo_receive,
)
from claimory.portal import page_cache
from tests.photos import samples

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def html_of(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def section(html, name):
    return re.search(rf'<section id="{name}".*?</section>', html, re.S).group(0)


def bay(claim, caption="Door panel off"):
    photo = photo_receive(claim=claim, upload=samples.jpeg_with_gps(), source=Source.BAY,
                          name="IMG.jpg", caption=caption)
    photo.refresh_from_db()
    return photo


def test_a_published_photo_shows_on_the_next_load(client, claim, portal_path):
    assert "Door panel off" not in html_of(client, portal_path)
    assert len(page_cache.pages) == 1
    bay(claim)
    assert "Door panel off" in section(html_of(client, portal_path), "photos")


def test_hiding_a_photo_takes_it_off_and_showing_it_brings_it_back(client, claim,
                                                                   front_desk, portal_path):
    photo = bay(claim)
    assert "Door panel off" in html_of(client, portal_path)
    photo_hide(photo, hidden=True, actor=front_desk)
    assert "Door panel off" not in html_of(client, portal_path)
    photo_hide(photo, hidden=False, actor=front_desk)
    assert "Door panel off" in html_of(client, portal_path)


def test_making_a_photo_internal_takes_it_off_the_next_page(client, claim, front_desk,
                                                          portal_path):
    photo = bay(claim)
    assert "Door panel off" in html_of(client, portal_path)
    photo_internal_set(photo, internal=True, actor=front_desk)
    assert "Door panel off" not in html_of(client, portal_path)


def test_a_deleted_photo_is_gone_from_the_next_page(client, claim, front_desk, portal_path):
    photo = bay(claim)
    assert f"/photos/{photo.pk}/" in html_of(client, portal_path)
    photo_delete(photo, actor=front_desk)
    assert f"/photos/{photo.pk}/" not in html_of(client, portal_path)


def test_a_customer_upload_shows_in_what_you_sent(client, claim, portal_path):
    assert "What you sent" not in html_of(client, portal_path)
    photo_receive(claim=claim, upload=samples.minimal_pdf(), source=Source.CUSTOMER,
                  kind=Kind.INSURANCE_CARD, name="insurance.pdf")
    uploads = section(html_of(client, portal_path), "uploads")
    assert "What you sent" in uploads and "insurance.pdf" in uploads


def test_a_customer_photo_shows_processing_then_its_thumbnail(client, claim, portal_path,
                                                             monkeypatch):
    # Hold the worker back: the row is "received" until processing runs.
    monkeypatch.setattr("claimory.core.durable.schedule", lambda *a, **k: None)
    photo = photo_receive(claim=claim, upload=samples.jpeg_with_gps(), source=Source.CUSTOMER,
                          kind=Kind.DAMAGE, name="dent.jpg")
    uploads = section(html_of(client, portal_path), "uploads")
    assert "dent.jpg" in uploads and "Processing…" in uploads
    photo.state = State.PROCESSING
    photo.save(update_fields=["state"])
    photo_process(photo)
    uploads = section(html_of(client, portal_path), "uploads")
    assert "Processing…" not in uploads and f"/photos/{photo.pk}/thumb.jpg" in uploads
