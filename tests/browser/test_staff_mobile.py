"""Staff screens on a phone (390×844) and a laptop (1366×768)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, screenshot

PAGES = {
    "claims": "/staff/",
    "claim": "/staff/claims/{claim}",
    "claim_new": "/staff/claims/new",
    "claim_edit": "/staff/claims/{claim}/edit",
    "inbox": "/staff/inbox",
    "board": "/staff/board",
    "settings_stages": "/staff/settings/stages",
    "settings_location": "/staff/settings/location",
}


def _sign_in(page, server) -> None:
    page.goto(f"{server.origin}/staff/login")
    page.get_by_label("Email").fill(server.staff_email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/(?!login)"))


@pytest.fixture
def staff_phone(phone, demo_server):
    _sign_in(phone, demo_server)
    return phone


@pytest.fixture
def claim_id(staff_phone, demo_server) -> str:
    staff_phone.goto(f"{demo_server.origin}/staff/inbox?tab=all")
    return staff_phone.locator(".thread-row").first.get_attribute("data-claim-id")


def phone_screenshot(page, name: str) -> None:
    """A whole-page phone screenshot taken as a tall viewport: a full_page capture re-lays the
    page out without touch emulation, so (hover: none) rules would not show in it."""
    size = page.viewport_size
    height = page.evaluate("document.scrollingElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(height, 6000)})
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size(size)


def test_screens(staff_phone, claim_id, demo_server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in PAGES.items():
        staff_phone.goto(demo_server.origin + path.format(claim=claim_id))
        phone_screenshot(staff_phone, f"staff-390-{name}")
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_cookies(staff_phone.context.cookies())
    page = context.new_page()
    for name, path in PAGES.items():
        page.goto(demo_server.origin + path.format(claim=claim_id))
        screenshot(page, f"staff-1366-{name}")
