"""Real time as people see it: the board drives an open portal, messages go both ways."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.conftest import open_claim_by_api, screenshot


def _pick_stage_on_board(card, stage: str) -> None:
    """With board.js the select + Move pair hides behind the card's own Move button."""
    card.hover()
    card.locator(".bcard__toggle").click()
    card.locator("select[name=stage]").select_option(stage)


def _open_portal(phone, url: str) -> None:
    phone.goto(url)
    expect(phone.locator("#live-status")).to_contain_text("Live")
    # A marker that a reload would wipe: proves updates arrive in place.
    phone.evaluate("window.__noReload = true")


def test_board_move_reaches_open_portal_within_a_second(staff_page, phone, demo_server):
    claim = open_claim_by_api(demo_server, "Live Lena")
    _open_portal(phone, claim["portal_url"])
    expect(phone.locator('[aria-current="step"]')).to_contain_text("Pictures")

    page = staff_page
    page.goto(f"{demo_server.origin}/staff/board")
    card = page.locator(f'[data-claim-id="{claim["id"]}"]')
    _pick_stage_on_board(card, "teardown")
    started = time.monotonic()
    card.locator(".bcard__move button[type=submit]").click()
    expect(phone.locator('[aria-current="step"]')).to_contain_text("Teardown", timeout=3000)
    elapsed = time.monotonic() - started
    assert phone.evaluate("window.__noReload") is True
    assert elapsed < 1.0, f"portal updated after {elapsed:.2f}s"
    screenshot(phone, "portal-live-phone")


def test_customer_message_reaches_staff_and_reply_reaches_portal(staff_page, phone,
                                                                  demo_server):
    claim = open_claim_by_api(demo_server, "Chatty Chen")
    _open_portal(phone, claim["portal_url"])
    page = staff_page
    page.goto(f"{demo_server.origin}/staff/claims/{claim['id']}")
    page.evaluate("window.__noReload = true")

    phone.get_by_label("Write to the shop").fill("Will it be ready before Friday?")
    phone.get_by_role("button", name="Send", exact=True).click()
    expect(phone.locator("#thread")).to_contain_text("Will it be ready before Friday?")

    # The office sees it on the open claim page without reloading…
    thread = page.locator("#thread")
    expect(thread).to_contain_text("Will it be ready before Friday?", timeout=3000)
    assert page.evaluate("window.__noReload") is True

    # …and replies from the claim page; the portal shows the reply in place.
    page.get_by_label("Reply to the customer").fill("Yes — Thursday afternoon.")
    page.get_by_role("button", name="Send reply").click()
    expect(phone.locator("#thread")).to_contain_text("Yes — Thursday afternoon.", timeout=3000)
    assert phone.evaluate("window.__noReload") is True
    screenshot(phone, "portal-thread-phone")
    screenshot(page, "claim-thread-desktop")


def test_customer_message_shows_up_in_inbox_live(browser, staff_page, phone, demo_server):
    claim = open_claim_by_api(demo_server, "Inbox Ines")
    page = staff_page
    page.goto(f"{demo_server.origin}/staff/inbox")
    page.evaluate("window.__noReload = true")
    _open_portal(phone, claim["portal_url"])
    phone.get_by_label("Write to the shop").fill("Do you need my insurance card?")
    phone.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("main")).to_contain_text("Do you need my insurance card?", timeout=3000)
    assert page.evaluate("window.__noReload") is True
    screenshot(page, "inbox-desktop")


def test_second_staff_browser_sees_the_card_move(browser, staff_page, demo_server):
    claim = open_claim_by_api(demo_server, "Board Bo")
    watcher_context = browser.new_context(viewport={"width": 1280, "height": 900})
    watcher = watcher_context.new_page()
    watcher.context.add_cookies(staff_page.context.cookies())
    watcher.goto(f"{demo_server.origin}/staff/board")
    watcher.evaluate("window.__noReload = true")
    expect(watcher.locator(f'[data-stage="pictures"] [data-claim-id="{claim["id"]}"]')
           ).to_be_visible()

    staff_page.goto(f"{demo_server.origin}/staff/board")
    card = staff_page.locator(f'[data-claim-id="{claim["id"]}"]')
    _pick_stage_on_board(card, "estimate")
    card.locator(".bcard__move button[type=submit]").click()
    expect(watcher.locator(f'[data-stage="estimate"] [data-claim-id="{claim["id"]}"]')
           ).to_be_visible(timeout=3000)
    assert watcher.evaluate("window.__noReload") is True
    watcher_context.close()
