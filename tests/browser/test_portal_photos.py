"""Photos on the portal as a customer meets them at 390 px: a bay photo arrives live and opens
in the viewer; the customer sends a photo and sees it under "What you sent"; axe finds
nothing wrong with either section, nor with the viewer open."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import open_claim_by_api, screenshot
from tests.browser.test_accessibility import violations

# Run in a separate process against the demo server's database: receive a bay photo, then
# run the due durable work (processing) so it is published at once.
PUBLISH = """
import io
from PIL import Image
from claimory.claims.models import Claim
from claimory.core import durable
from claimory.photos.models import Source
from claimory.photos.services import photo_receive
image = Image.new("RGB", (2000, 1500), ({colour}))
for x in range(0, 2000, 80):
    image.paste((250, 250, 250), (x, 0, x + 20, 1500))
out = io.BytesIO()
image.save(out, "JPEG", quality=85)
claim = Claim.objects.get(pk={claim_id})
photo_receive(claim=claim, upload=out.getvalue(), source=Source.BAY, name="bay.jpg",
              caption={caption!r})
durable.run_due()
"""


def _publish(demo_server, claim_id: int, caption: str, colour=(30, 80, 150)) -> None:
    demo_server.manage("shell", "-c", PUBLISH.format(
        claim_id=claim_id, caption=caption, colour=", ".join(map(str, colour))))


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (180, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def test_bay_photo_appears_live_and_opens_in_the_viewer(phone, demo_server):
    claim = open_claim_by_api(demo_server, "Photo Pat")
    phone.goto(claim["portal_url"])
    expect(phone.locator("#live-status")).to_contain_text("Live")
    expect(phone.locator("#photos")).to_be_hidden()
    phone.evaluate("window.__noReload = true")

    _publish(demo_server, claim["id"], "Rear bumper removed")
    _publish(demo_server, claim["id"], "New bumper test-fitted", colour=(40, 140, 70))
    tiles = phone.locator("#photos .gallery-link")
    expect(tiles).to_have_count(2, timeout=10_000)
    assert phone.evaluate("window.__noReload") is True
    first = tiles.first
    alt = first.locator("img").get_attribute("alt")
    assert alt.startswith("Photo from the shop, Pictures, "), alt
    assert alt.endswith(". Rear bumper removed"), alt
    first.scroll_into_view_if_needed()
    expect(first.locator("img")).to_have_js_property("complete", True)
    screenshot(phone, "portal-photos-phone")

    first.click()
    viewer = phone.locator("dialog.viewer")
    expect(viewer).to_be_visible()
    expect(viewer).to_have_attribute("aria-modal", "true")
    expect(viewer.locator(".viewer-count")).to_have_text("Photo 1 of 2")
    expect(viewer.locator(".viewer-caption")).to_contain_text("Rear bumper removed")
    expect(viewer.locator(".viewer-close")).to_be_focused()
    expect(viewer.locator(".viewer-img")).to_have_js_property("complete", True)
    assert viewer.locator(".viewer-img").evaluate("img => img.naturalWidth") == 1600
    phone.keyboard.press("ArrowRight")
    expect(viewer.locator(".viewer-count")).to_have_text("Photo 2 of 2")
    expect(viewer.locator(".viewer-caption")).to_contain_text("New bumper test-fitted")
    # Tab stays inside the dialog.
    for _ in range(4):
        phone.keyboard.press("Tab")
        assert phone.evaluate("document.activeElement.closest('dialog') !== null")
    assert violations(phone) == []
    screenshot(phone, "portal-viewer-phone")
    phone.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    # Focus back on the photo the viewer was opened from.
    assert phone.evaluate("document.activeElement.matches('#photos .gallery-link')")


def test_customer_sends_a_photo_and_sees_it_under_what_you_sent(phone, demo_server):
    claim = open_claim_by_api(demo_server, "Upload Uma")
    phone.goto(claim["portal_url"])
    expect(phone.locator("#live-status")).to_contain_text("Live")
    form = phone.locator("#uploads form")
    form.get_by_label("What is it?").select_option("insurance_card")
    form.get_by_label("Photos or PDF").set_input_files(
        [{"name": "insurance-card.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    form.get_by_label("Note (optional)").fill("Front side")
    form.get_by_role("button", name="Send to the shop").click()
    section = phone.locator("#uploads")
    expect(section.locator(".sent-note")).to_have_text("Thanks — the shop has it.")
    expect(section.locator(".sent-list")).to_contain_text("insurance-card.jpg")
    expect(section.locator(".sent-list")).to_contain_text("Insurance card")
    expect(section.locator(".sent-list")).to_contain_text("Processing…")
    # The worker processes it (run here, as `claimory worker` would): the thumbnail
    # replaces "Processing…" live.
    demo_server.manage("shell", "-c", "from claimory.core import durable; durable.run_due()")
    expect(section.locator(".sent-list img.sent-thumb")).to_have_count(1, timeout=10_000)
    expect(section.locator(".sent-list img")).to_have_js_property("complete", True)

    # A text file named .jpg: refused, said next to the field, nothing added.
    form = phone.locator("#uploads form")
    form.get_by_label("Photos or PDF").set_input_files(
        [{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo\n" * 20}])
    form.get_by_role("button", name="Send to the shop").click()
    expect(phone.locator("#upload-error")).to_contain_text("“notes.jpg” was not sent")
    expect(phone.locator("#uploads .sent-item")).to_have_count(1)
    assert violations(phone) == []
    screenshot(phone, "portal-uploads-phone")
