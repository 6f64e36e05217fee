"""From nothing to a printed QR, in chromium at 390 px and 1366 px: sign up on /signup, land
on the "Get started" checklist, keep the usual hours, open a first claim, open its work order
with the QR code — and the checklist counts it."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_from_nothing_to_a_printed_qr(browser, demo_server, size):
    mobile = size == "phone"
    context = browser.new_context(viewport=VIEWPORTS[size], is_mobile=mobile, has_touch=mobile)
    page = context.new_page()
    origin = demo_server.origin
    tag = uuid.uuid4().hex[:6]

    # The staff sign-in page leads to the sign-up.
    page.goto(f"{origin}/staff/login")
    page.get_by_role("link", name=re.compile("free trial", re.I)).click()
    page.wait_for_url(re.compile(r"/signup$"))
    expect(page.locator("main")).to_contain_text("no credit card")
    page.get_by_label("Shop name").fill(f"Rivera Body {tag}")
    # The page address follows the name until edited.
    expect(page.get_by_label("Public page address")).to_have_value(f"rivera-body-{tag}")
    page.get_by_label("Your name").fill("Joe Rivera")
    page.get_by_label("Work email").fill(f"joe-{tag}@rivera.test")
    page.get_by_label("Password").fill("bumper-to-bumper-42")
    page.get_by_label("Shop phone").fill("(512) 555-0123")
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    expect(page.get_by_label("Plan to try")).to_have_value("professional")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]
    page.get_by_role("button", name="Create my shop").click()

    # Signed in, on the checklist.
    page.wait_for_url(re.compile(r"/staff/welcome$"))
    expect(page.locator(".welcome__count")).to_contain_text("0 of 6 done")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]
    page.get_by_role("button", name="Keep the usual hours").click()
    expect(page.locator(".welcome__count")).to_contain_text("1 of 6 done")

    # Open a first claim from the checklist.
    page.locator("#step-claim").get_by_role("link", name="Open a claim").click()
    page.wait_for_url(re.compile(r"/staff/claims/new"))
    page.get_by_label("Customer name").fill("Quinn Alvarez")
    page.get_by_label("Mobile phone").fill("(512) 555-0166")
    page.get_by_label("Year").fill("2021")
    page.get_by_label("Make").fill("Ford")
    page.get_by_label("Model").fill("F-150")
    page.get_by_label("Insurance carrier").fill("Progressive")
    eta = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)).isoformat()
    page.get_by_label(re.compile("Estimated completion|ETA")).first.fill(eta)
    page.get_by_role("button", name="Open claim").click()
    page.wait_for_url(re.compile(r"/staff/claims/\d+"))

    # Back to the checklist: print its QR (the work order opens in a new tab).
    page.goto(f"{origin}/staff/welcome")
    expect(page.locator(".welcome__count")).to_contain_text("2 of 6 done")
    with context.expect_page() as opened:
        page.locator("#step-print").get_by_role("link", name="Print the work order").click()
    sheet = opened.value
    sheet.wait_for_load_state()
    expect(sheet.locator(".qr svg").first).to_be_visible()
    assert re.fullmatch(rf"{re.escape(origin)}/c/[A-Za-z0-9_-]{{22}}",
                        sheet.locator(".url a").first.get_attribute("href"))
    screenshot(sheet, f"signup-work-order-{size}")
    sheet.close()

    page.reload()
    expect(page.locator(".welcome__count")).to_contain_text("3 of 6 done")
    expect(page.locator("#step-print")).to_have_class(re.compile("checklist__step--done"))
    screenshot(page, f"signup-welcome-{size}")
    context.close()
