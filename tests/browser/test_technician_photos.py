"""A technician on a phone (390 px) photographs a car: two photos picked at once upload with
progress, the worker processes them, and the claim page's gallery shows both."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import open_claim_by_api, screenshot
from tests.photos.samples import jpeg_with_gps


def _no_sideways_scroll(page, where: str) -> None:
    widths = page.evaluate("[document.scrollingElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{where}: {widths[0]} px wide in {widths[1]} px"


def test_technician_uploads_two_photos_from_a_phone(phone, demo_server, tmp_path):
    claim = open_claim_by_api(demo_server, "Photo Phoebe")
    files = []
    for i, colour in enumerate([(200, 40, 40), (40, 160, 90)]):
        path = tmp_path / f"bay-{i}.jpg"
        path.write_bytes(jpeg_with_gps(1600, 1200, colour=colour))
        files.append(str(path))

    page = phone
    page.goto(f"{demo_server.origin}/staff/login")
    page.get_by_label("Email").fill("tech@northside.demo")
    page.get_by_label("Password").fill(demo_server.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/(?!login)"))

    page.goto(f"{demo_server.origin}/staff/claims/{claim['id']}")
    page.get_by_role("link", name="Add photos").click()
    page.wait_for_url(re.compile(r"/photos/new$"))
    expect(page.locator("#id_stage")).to_have_value(claim["stage"])
    _no_sideways_scroll(page, "capture page")

    page.set_input_files("input[type=file]", files)
    rows = page.locator(".upload")
    expect(rows).to_have_count(2)
    # Uploaded: the rows wait for the worker (or are done already if it was quick).
    for i in range(2):
        expect(rows.nth(i)).to_have_attribute("data-state", re.compile("processing|done"),
                                              timeout=20000)
    demo_server.manage("worker", "--batch")
    for i in range(2):
        expect(rows.nth(i)).to_have_attribute("data-state", "done", timeout=30000)
        expect(rows.nth(i).locator("img")).to_be_visible()
    expect(page.locator("[data-upload-summary]")).to_have_text("2 of 2 done")
    _no_sideways_scroll(page, "capture page with uploads")
    screenshot(page, "technician-390-capture")

    page.get_by_role("link", name="Done: back to the claim").click()
    page.wait_for_url(re.compile(rf"/staff/claims/{claim['id']}"))
    tiles = page.locator("#claim-photos .gallery").first.locator(".tile img")
    expect(tiles).to_have_count(2)
    for i in range(2):
        tiles.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                               arg=tiles.nth(i).element_handle())
    _no_sideways_scroll(page, "claim page with photos")
    screenshot(page, "technician-390-gallery")
