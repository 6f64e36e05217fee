"""MMS: images downloaded at once, checked by their bytes, stripped of EXIF/GPS, stored, and
put on the claim as photos (or kept with an unmatched text until it is attached)."""

from __future__ import annotations

import io
import socket

import httpx
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from claimory.claims.models import EventType
from claimory.messaging.models import Direction, Message
from claimory.photos.models import Photo, Source
from claimory.sms import mms
from claimory.sms.inbound import inbound_receive, unmatched_attach
from claimory.sms.models import UnmatchedText
from tests.factories import make_claim
from tests.sms.conftest import payload

GPS_IFD = 0x8825


def jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 1  # Orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 16.0, 1.0), 3: "W", 4: (97.0, 44.0, 1.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(size=(20, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def test_mms_lands_as_a_photo_without_exif(texting, claim, media_server):
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(GPS_IFD)  # the fixture has GPS
    item = media_server.add("/media/one.jpg", raw)
    outcome = inbound_receive(payload("Here's the damage", media=[item]), "telnyx")
    assert outcome == f"filed on claim {claim.pk}; 1 photo(s) kept, 0 not"

    photo = Photo.objects.get(claim=claim)
    assert photo.source == Source.MMS and photo.content_type == "image/jpeg"
    assert (photo.width, photo.height) == (64, 48)
    assert photo.message == Message.objects.get(claim=claim, direction=Direction.INBOUND)
    stored = default_storage.open(photo.file.name).read()
    kept = Image.open(io.BytesIO(stored))
    assert not kept.getexif()  # EXIF (and with it GPS) gone
    assert b"PhoneMaker" not in stored
    assert default_storage.exists(photo.thumbnail.name)

    event = claim.events.get(type=EventType.PHOTO)
    assert event.data["url"] == f"/staff/photos/{photo.pk}"
    assert event.data["thumb_url"] == f"/staff/photos/{photo.pk}/thumb"
    assert event.data["stage"] == claim.stage.slug and event.data["internal"] is False
    assert not event.customer_visible  # the portal gallery comes later


def test_photo_only_mms_still_reaches_the_inbox(texting, claim, media_server):
    items = [media_server.add("/a.png", png(), "image/png"),
             media_server.add("/b.jpg", jpeg_with_gps())]
    inbound_receive(payload("", media=items), "telnyx")
    assert Message.objects.get(claim=claim, direction=Direction.INBOUND).body == "[2 photos]"
    assert sorted(Photo.objects.values_list("content_type", flat=True)) == [
        "image/jpeg", "image/png"]


def test_declared_type_is_not_trusted(texting, claim, media_server):
    items = [media_server.add("/fake.jpg", b"<html>not an image</html>", "image/jpeg"),
             media_server.add("/gone.jpg", b"", "image/jpeg")]
    items[1]["url"] += "-missing"
    outcome = inbound_receive(payload("Two pictures", media=items), "telnyx")
    assert outcome.endswith("0 photo(s) kept, 2 not")
    assert not Photo.objects.exists()
    notes = [e.data["body"] for e in claim.events.filter(type=EventType.NOTE)]
    assert any("Attachment 1 not kept: not a readable image" in n for n in notes)
    assert any("Attachment 2 not kept: the provider answered 404" in n for n in notes)
    assert Message.objects.get(claim=claim, direction=Direction.INBOUND).body == "Two pictures"


def test_media_over_the_size_cap_is_refused(texting, claim, media_server, monkeypatch):
    monkeypatch.setattr(mms, "MAX_BYTES", 1000)
    item = media_server.add("/big.jpg", jpeg_with_gps((400, 400)) + b"\0" * 2000)
    outcome = inbound_receive(payload("Big", media=[item]), "telnyx")
    assert outcome.endswith("0 photo(s) kept, 1 not")


def test_unmatched_mms_keeps_its_photos_until_attached(texting, front_desk, media_server):
    make_claim(texting, actor=front_desk)
    target = make_claim(texting, actor=front_desk)
    item = media_server.add("/m.jpg", jpeg_with_gps())
    inbound_receive(payload("Dent on the door", media=[item]), "telnyx")
    row = UnmatchedText.objects.get()
    assert len(row.media) == 1 and default_storage.exists(row.media[0]["path"])
    assert not Photo.objects.exists()

    unmatched_attach(unmatched=row, claim=target, actor=front_desk)
    photo = Photo.objects.get()
    assert photo.claim == target and photo.file.name == row.media[0]["path"]
    assert target.events.filter(type=EventType.PHOTO).count() == 1


def test_media_is_fetched_once_per_message(texting, claim, media_server):
    item = media_server.add("/once.jpg", jpeg_with_gps())
    body = payload("pic", media=[item], message_id="mms-1")
    inbound_receive(body, "telnyx")
    inbound_receive(body, "telnyx")
    assert media_server.requests == ["/once.jpg"]
    assert Photo.objects.count() == 1


@pytest.mark.parametrize("raw", [b"GIF89a broken", b"\x89PNG\r\n\x1a\n" + b"\0" * 10])
def test_broken_images_are_not_kept(raw):
    from claimory.photos.images import NotAnImage, image_clean

    with pytest.raises(NotAnImage):
        image_clean(raw)


def test_staff_open_photos_only_through_their_claim(client, texting, claim, front_desk,
                                                    outsider, media_server):
    inbound_receive(payload("pic", media=[media_server.add("/p.jpg", jpeg_with_gps())]),
                    "telnyx")
    photo = Photo.objects.get()
    client.force_login(front_desk)
    response = client.get(f"/staff/photos/{photo.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert client.get(f"/staff/photos/{photo.pk}/thumb").status_code == 200
    page = client.get(f"/staff/claims/{claim.pk}").content.decode()
    assert f'src="/staff/photos/{photo.pk}/thumb"' in page
    client.force_login(outsider)
    assert client.get(f"/staff/photos/{photo.pk}").status_code == 404
    assert client.get(f"/staff/photos/{photo.pk}/thumb").status_code == 404
    client.logout()
    assert client.get(f"/staff/photos/{photo.pk}").status_code == 302  # to the login page


def test_media_on_private_addresses_is_not_fetched(texting, claim, media_server, settings):
    settings.SMS_MEDIA_ALLOW_PRIVATE = False  # the default outside tests
    item = media_server.add("/inside.jpg", jpeg_with_gps())
    outcome = inbound_receive(payload("pic", media=[item]), "telnyx")
    assert outcome.endswith("0 photo(s) kept, 1 not")
    assert media_server.requests == []  # never even asked
    notes = [e.data["body"] for e in claim.events.filter(type=EventType.NOTE)]
    assert any("not a public address" in n for n in notes)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x.jpg", "http://localhost:8000/x.jpg", "http://169.254.169.254/latest",
    "http://10.1.2.3/x.jpg", "http://192.168.0.1/x.jpg", "http://[::1]/x.jpg",
    "http://0.0.0.0/x.jpg", "http://[::ffff:127.0.0.1]/x.jpg", "http://100.64.0.1/x.jpg",
])
def test_ssrf_guard_refuses_internal_hosts(url, settings):
    settings.SMS_MEDIA_ALLOW_PRIVATE = False
    with pytest.raises(mms.MediaError, match="not a public address"):
        mms._public_only(httpx.Request("GET", url))


def test_ssrf_guard_checks_every_redirect(settings, monkeypatch):
    """A public host that redirects to the metadata address is refused at the redirect."""
    settings.SMS_MEDIA_ALLOW_PRIVATE = False
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "cdn.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(mms.socket, "getaddrinfo", resolve)
    seen = []

    def handler(request):
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})

    with httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True,
                      event_hooks={"request": [mms._public_only]}) as client:
        with pytest.raises(mms.MediaError, match="not a public address"):
            mms._download(client, "https://cdn.example.com/pic.jpg")
    assert seen == ["https://cdn.example.com/pic.jpg"]
