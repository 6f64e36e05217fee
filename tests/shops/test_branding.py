"""The shop's logo: checked by content at upload, cleaned and resized by the worker, served
from the public page's versioned URL on branding plans only; the colour's contrast check."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from claimory.core import durable
from claimory.photos.uploads import UploadRefused
from claimory.portal.brand import brand_check, contrast
from claimory.portal.shop import shop_card
from claimory.shops.branding import logo_pending, logo_remove, logo_upload
from claimory.shops.models import LogoJob, LogoJobState, Plan
from tests.photos.samples import has_gps, jpeg_with_gps, png_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _png(size=(1200, 600), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30)).save(
        out, "PNG")
    return out.getvalue()


def _served(location) -> bytes:
    url = shop_card(location).logo_url
    assert url.startswith(f"/p/{location.slug}/logo.png?v=")
    answer = Client().get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert "immutable" in answer["Cache-Control"]
    return b"".join(answer.streaming_content)


def test_a_logo_is_cleaned_resized_and_served(location):
    logo_upload(location=location, upload=jpeg_with_gps(2000, 1000))
    location.refresh_from_db()
    assert not location.logo  # not before the worker has a clean file
    assert durable.run_due() >= 1
    location.refresh_from_db()
    served = _served(location)
    image = Image.open(io.BytesIO(served))
    assert image.format == "PNG" and max(image.size) == 512 and image.size == (512, 256)
    assert not has_gps(served)
    assert LogoJob.objects.get().state == LogoJobState.DONE
    assert not LogoJob.objects.get().source  # the upload is not kept


def test_transparency_survives(location):
    logo_upload(location=location, upload=_png())
    durable.run_due()
    location.refresh_from_db()
    assert Image.open(io.BytesIO(_served(location))).mode == "RGBA"


@pytest.mark.parametrize("raw,why", [
    (b"<svg onload=alert(1)></svg>", "not a photo"),
    (b"%PDF-1.4 hello", "Please send a photo"),
    (b"", "empty"),
    (b"x" * (5 * 1024 * 1024 + 1), "too large"),
])
def test_what_is_not_an_image_is_refused_at_once(location, raw, why):
    with pytest.raises(UploadRefused, match=why):
        logo_upload(location=location, upload=raw)
    assert not LogoJob.objects.exists()


def test_a_decompression_bomb_is_refused(location):
    with pytest.raises(UploadRefused):
        logo_upload(location=location, upload=png_bomb())


def test_a_newer_upload_wins_even_if_processed_first(location):
    first = logo_upload(location=location, upload=_png((300, 300)))
    second = logo_upload(location=location, upload=_png((800, 200)))
    durable.run_work.call("shops.logojob", second.pk)
    durable.run_work.call("shops.logojob", first.pk)
    first.refresh_from_db()
    assert first.state == LogoJobState.SUPERSEDED
    location.refresh_from_db()
    assert Image.open(io.BytesIO(_served(location))).size == (512, 128)


def test_processing_twice_does_nothing_more(location):
    job = logo_upload(location=location, upload=_png())
    assert durable.run_work.call("shops.logojob", job.pk) == "ran"
    assert durable.run_work.call("shops.logojob", job.pk) == "skipped"


def test_starter_shows_no_logo_and_the_file_is_not_served(workspace, location):
    logo_upload(location=location, upload=_png())
    durable.run_due()
    workspace.plan = Plan.STARTER
    workspace.save()
    location.refresh_from_db()
    assert shop_card(location).logo_url == ""
    assert Client().get(reverse("public:logo", args=[location.slug])).status_code == 404


def test_remove(location):
    logo_upload(location=location, upload=_png())
    durable.run_due()
    location.refresh_from_db()
    logo_remove(location=location)
    location.refresh_from_db()
    assert not location.logo and logo_pending(location) is None
    assert Client().get(reverse("public:logo", args=[location.slug])).status_code == 404


def test_the_settings_page_uploads_and_explains_refusals(location, owner, other_location):
    client = Client()
    client.force_login(owner)
    url = reverse("backoffice:settings_logo", args=[location.slug])
    page = client.post(url, {"logo": SimpleUploadedFile("logo.png", b"not an image")},
                       follow=True).content.decode()
    assert "This file is not a photo" in page
    page = client.post(url, {"logo": SimpleUploadedFile("logo.png", _png())},
                       follow=True).content.decode()
    assert "Processing your new logo" in page
    assert client.post(reverse("backoffice:settings_logo", args=[other_location.slug]),
                       {"logo": SimpleUploadedFile("l.png", _png())}).status_code == 404


@pytest.mark.parametrize("colour", ["#1d4ed8", "#ffff00", "#ffffff", "#000000", "#22c55e",
                                    "#f97316", "#e11d48"])
def test_derived_text_colours_are_always_aa(colour):
    check = brand_check(colour)
    assert check["text_ratio"] >= 4.5


def test_a_mid_tone_button_is_flagged_below_aa():
    check = brand_check("#6b7a8f")  # neither white nor ink text reaches 4.5:1 on it
    rgb = tuple(int(check["fill"][i:i + 2], 16) for i in (1, 3, 5))
    assert not check["button_aa"] and contrast(rgb, (255, 255, 255)) < 4.5


def test_customer_emails_carry_the_logo_on_branding_plans(workspace, location, claim, settings):
    from claimory.mail.notify import _brand

    settings.BASE_URL = "https://claimory.example"
    assert _brand(claim)["logo"] == ""
    logo_upload(location=location, upload=_png())
    durable.run_due()
    claim.location.refresh_from_db()
    assert _brand(claim)["logo"].startswith(
        f"https://claimory.example/p/{location.slug}/logo.png?v=")
    workspace.plan = Plan.STARTER
    workspace.save()
    claim.location.workspace.refresh_from_db()
    assert _brand(claim)["logo"] == ""
