"""The foundation, as a shop lives it: intake → printed QR → board move → the customer's phone."""

from __future__ import annotations

import datetime as dt
import io
import re

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

VIN = "1FTFW1ET9DFC10312"


def test_staff_opens_prints_moves_and_customer_sees_new_stage(staff_page, phone, demo_server):
    page = staff_page
    origin = demo_server.origin
    page.goto(f"{origin}/staff/claims/new")
    page.get_by_label("Customer name").fill("Quinn Alvarez")
    page.get_by_label("Mobile phone").fill("(512) 555-0166")
    page.get_by_label("Year").fill("2021")
    page.get_by_label("Make").fill("Ford")
    page.get_by_label("Model").fill("F-150")
    page.get_by_label("VIN").fill(VIN.lower())
    page.get_by_label("Insurance carrier").fill("Progressive")
    page.get_by_label("RO number").fill("RO-77001")
    page.get_by_label("Deductible").fill("500")
    eta = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)).isoformat()
    page.get_by_label(re.compile("Estimated completion|ETA")).first.fill(eta)
    page.get_by_label("Starting stage").select_option("pictures")
    page.get_by_role("button", name="Open claim").click()
    page.wait_for_url(re.compile(r"/staff/claims/\d+"))
    claim_id = re.search(r"/claims/(\d+)", page.url).group(1)
    expect(page.locator("main")).to_contain_text(VIN)

    # One click from the claim page prints the work order, QR already on it.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Print work order").first.click()
    sheet = opened.value
    sheet.wait_for_load_state()
    portal_url = sheet.locator(".url a").first.get_attribute("href")
    assert re.fullmatch(rf"{re.escape(origin)}/c/[A-Za-z0-9_-]{{22}}", portal_url)
    shot = sheet.locator(".qr svg").first.screenshot()
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))]
    assert decoded == [portal_url], "the printed QR must open this claim's portal"
    screenshot(sheet, "work-order-desktop")
    sheet.close()

    # The production manager moves the car on the board: the card's Move button (shown on
    # hover with a mouse, always on touch) opens its stage select.
    page.goto(f"{origin}/staff/board")
    card = page.locator(f'[data-stage="pictures"] [data-claim-id="{claim_id}"]')
    expect(card).to_be_visible()
    card.hover()
    card.locator(".bcard__toggle").click()
    card.locator("select[name=stage]").select_option("teardown")
    card.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator(f'[data-stage="teardown"] [data-claim-id="{claim_id}"]')).to_be_visible()
    screenshot(page, "board-desktop")

    # The customer scans the QR: the portal on a phone shows the new stage.
    phone.goto(portal_url)
    current = phone.locator('[aria-current="step"]')
    expect(current).to_contain_text("Teardown")
    expect(phone.locator("body")).to_contain_text("F-150")
    expect(phone.locator("body")).not_to_contain_text("Adjuster")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling at phone width"
    screenshot(phone, "portal-phone")

    # Access logs show the portal path with the token redacted, never the token.
    token = portal_url.rsplit("/", 1)[1]
    log = (demo_server.data_dir / "server.log").read_text()
    assert "GET /c/[redacted]" in log
    assert token not in log


def test_unknown_token_gets_the_uniform_404(phone, demo_server):
    response = phone.goto(f"{demo_server.origin}/c/AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status == 404
    expect(phone.locator("body")).not_to_contain_text("Northside")
