"""Printing from the browser: chromium prints the set as three pages of the right paper sizes,
each QR scanning to the portal, and the on-screen Print button reaches window.print."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from claimory.printables.qr import portal_url
from claimory.shops.models import Role
from tests.factories import make_claim, make_location, make_staff, make_workspace
from tests.printables.qrimage import decode, pdf_pages

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture
def print_claim(transactional_db, live_server, client):
    """A Spanish customer's claim and a front-desk session cookie, made before the browser
    starts: Playwright's sync API runs an event loop, inside which Django refuses DB calls."""
    location = make_location(make_workspace(), slug="print-shop", name="Print Shop Collision")
    user = make_staff(location.workspace, Role.FRONT_DESK, [location])
    claim = make_claim(location, actor=user, name="María José Núñez", language="es")
    client.force_login(user)
    return claim, portal_url(claim), client.cookies["sessionid"].value


@pytest.fixture
def signed_in_page(print_claim, live_server):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    claim, link, session = print_claim
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        yield context.new_page(), claim.pk, link, live_server.url
        browser.close()


def test_browser_prints_the_set_as_three_sized_pages_with_scannable_qrs(signed_in_page):
    page, claim_id, link, origin = signed_in_page
    page.goto(origin + reverse("printables:all", args=[claim_id]))
    pages = pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))
    assert [size for size, _, _ in pages] == [
        pytest.approx((8.5, 11.0), abs=0.02), pytest.approx((3.5, 8.5), abs=0.02),
        pytest.approx((6.0, 4.0), abs=0.02)]
    for _, image, text in pages:
        assert decode(image) == [link]
        assert "Download PDF" not in text  # the toolbar does not print
    assert "Orden de trabajo".upper() in pages[0][2].upper()


def test_print_button_opens_the_print_dialog(signed_in_page):
    page, claim_id, _, origin = signed_in_page
    errors, failed = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto(origin + reverse("printables:card", args=[claim_id]))
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") is True
    # Every asset loads (the browser's own favicon probe aside) and nothing trips the CSP.
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
    assert [e for e in errors if "Failed to load resource" not in e] == []
