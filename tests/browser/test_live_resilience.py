"""Live pages never claim to be current while they are not, and many staff tabs share one
stream: fragment fetches fail (route interception) while events arrive, then succeed, and the
page converges to the server's state without a reload."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import open_claim_by_api, screenshot

STEP = '#claim-progress [aria-current="step"]'  # the claim page's current stage


def _move(server, claim_id: int, stage: str) -> None:
    response = httpx.post(f"{server.origin}/api/v1/claims/{claim_id}/stage",
                          json={"stage": stage}, timeout=10,
                          headers={"Authorization": f"Bearer {server.api_key}"})
    assert response.status_code == 200, response.text


class Outage:
    """Fails matching requests (a 503 or a dropped connection, alternately) until lifted."""

    def __init__(self, page, pattern: str):
        self.on = True
        self.failed = 0
        self.pattern = pattern
        self.page = page
        page.route(pattern, self._handle)

    def _handle(self, route):
        if not self.on:
            route.continue_()
            return
        self.failed += 1
        if self.failed % 2:
            route.fulfill(status=503, body="down for a moment")
        else:
            route.abort("connectionreset")

    def lift(self):
        self.on = False


def _wait_for(page, predicate, timeout: float = 10.0) -> None:
    # wait_for_timeout, not sleep: route handlers only run while Playwright has control.
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(100)


def test_portal_retries_failed_fragments_and_is_never_live_while_behind(phone, demo_server):
    claim = open_claim_by_api(demo_server, "Stale Sam")
    phone.goto(claim["portal_url"])
    status = phone.locator("#live-status")
    expect(status).to_have_text("Live")
    phone.evaluate("window.__noReload = true")
    step = phone.locator('[aria-current="step"]')
    expect(step).to_contain_text("Pictures")

    outage = Outage(phone, re.compile(r"/fragments/"))
    _move(demo_server, claim["id"], "teardown")
    expect(status).to_have_text("Updating…")
    # The page keeps asking (with backoff) and never says "Live" in the meantime.
    _wait_for(phone, lambda: outage.failed >= 4, timeout=15)
    assert status.text_content() != "Live"
    assert "Pictures" in step.text_content()
    _move(demo_server, claim["id"], "estimate")  # more events while it is down
    phone.wait_for_timeout(300)
    assert status.text_content() != "Live"

    outage.lift()
    expect(step).to_contain_text("Estimate", timeout=20000)
    expect(status).to_have_text("Live")
    assert phone.evaluate("window.__noReload") is True


def test_portal_revoked_link_note_pushes_the_cards_down_and_offers_a_call(staff_page, phone,
                                                                         demo_server):
    claim = open_claim_by_api(demo_server, "Revoked Rita")
    phone.goto(claim["portal_url"])
    expect(phone.locator("#live-status")).to_have_text("Live")
    staff_page.goto(f"{demo_server.origin}/staff/claims/{claim['id']}")
    staff_page.locator("details").evaluate_all("all => all.forEach((d) => { d.open = true; })")
    staff_page.get_by_role("button", name="Yes, revoke the link").click()
    staff_page.wait_for_load_state()
    note = phone.locator("#live-gone")
    expect(note).to_be_visible(timeout=10000)
    expect(note.get_by_role("link")).to_have_attribute("href", re.compile(r"^tel:\+?\d+"))
    note_box = note.bounding_box()
    card_box = phone.locator("#vehicle").bounding_box()
    assert note_box["y"] + note_box["height"] <= card_box["y"], (note_box, card_box)
    expect(phone.locator("#live-status")).to_be_hidden()
    screenshot(phone, "portal-link-gone-phone")


def _staff_tab(context, url: str):
    page = context.new_page()
    page.goto(url)
    return page


def _expect_tabs_show_teardown(tabs, claim_id: int) -> None:
    """Every open board shows the card in Teardown; every open claim page says Teardown."""
    for tab in tabs:
        if "/board" in tab.url:
            expect(tab.locator(f'[data-stage="teardown"] [data-claim-id="{claim_id}"]')
                   ).to_be_visible(timeout=5000)
        elif f"/claims/{claim_id}" in tab.url:
            expect(tab.locator(STEP)).to_contain_text("Teardown", timeout=5000)


def _stream_connects(server) -> int:
    log = (server.data_dir / "server.log").read_text(errors="replace")
    return len(re.findall(r'"GET /staff/events\?', log))


def test_eight_staff_tabs_share_one_stream_and_all_update(staff_page, demo_server):
    claim = open_claim_by_api(demo_server, "Tabby Tess")
    origin = demo_server.origin
    context = staff_page.context
    staff_page.goto(f"{origin}/staff/claims/{claim['id']}")  # keeps the session warm
    before = _stream_connects(demo_server)
    urls = [f"{origin}/staff/board", f"{origin}/staff/board", f"{origin}/staff/inbox",
            f"{origin}/staff/", f"{origin}/staff/claims/{claim['id']}",
            f"{origin}/staff/claims/{claim['id']}", f"{origin}/staff/board",
            f"{origin}/staff/claims/{claim['id']}"]
    tabs = [staff_page] + [_staff_tab(context, url) for url in urls]
    for tab in tabs:
        expect(tab.locator("#live-state")).to_have_attribute("data-state", "live")
        tab.evaluate("window.__noReload = true")

    _move(demo_server, claim["id"], "teardown")
    _expect_tabs_show_teardown(tabs, claim["id"])
    for tab in tabs:
        assert tab.evaluate("window.__noReload") is True
    # Nine tabs, one stream (a second one at most, if the worker restarted in between).
    after = _stream_connects(demo_server)
    assert after >= 1  # the access log does list stream connects
    opened = after - before
    print(f"{len(tabs)} tabs, {opened} new /staff/events connections ({before} before)")
    assert opened <= 2, f"{opened} /staff/events connections for {len(tabs)} tabs"
    for tab in tabs[1:]:
        tab.close()


def test_staff_claim_page_retries_its_fragment_and_says_updating(staff_page, demo_server):
    claim = open_claim_by_api(demo_server, "Patchy Pete")
    page = staff_page
    page.goto(f"{demo_server.origin}/staff/claims/{claim['id']}")
    state = page.locator("#live-state")
    expect(state).to_have_attribute("data-state", "live")
    page.evaluate("window.__noReload = true")

    outage = Outage(page, re.compile(r"/staff/claims/\d+/live"))
    _move(demo_server, claim["id"], "estimate")
    expect(state).to_have_attribute("data-state", "updating")
    expect(state).to_have_text(re.compile("Updating"))
    _wait_for(page, lambda: outage.failed >= 3, timeout=15)
    expect(state).to_have_attribute("data-state", "updating")
    expect(page.locator(STEP)).to_have_text("Pictures")

    outage.lift()
    expect(page.locator(STEP)).to_contain_text("Estimate", timeout=20000)
    expect(state).to_have_attribute("data-state", "live")
    assert page.evaluate("window.__noReload") is True


def test_portal_says_reconnecting_while_offline_and_catches_up_after(phone, demo_server):
    claim = open_claim_by_api(demo_server, "Offline Olga")
    phone.goto(claim["portal_url"])
    status = phone.locator("#live-status")
    expect(status).to_have_text("Live")
    phone.evaluate("window.__noReload = true")

    phone.context.set_offline(True)
    expect(status).to_have_text("Reconnecting…", timeout=10000)
    _move(demo_server, claim["id"], "supp_sent")
    phone.wait_for_timeout(500)
    assert status.text_content() != "Live"

    phone.context.set_offline(False)
    expect(phone.locator('[aria-current="step"]')).to_contain_text("Supplement sent", timeout=20000)
    expect(status).to_have_text("Live")
    assert phone.evaluate("window.__noReload") is True


def test_staff_tabs_say_reconnecting_while_offline_and_catch_up_after(staff_page, demo_server):
    claim = open_claim_by_api(demo_server, "Offline Otto")
    page = staff_page
    page.goto(f"{demo_server.origin}/staff/claims/{claim['id']}")
    board = page.context.new_page()
    board.goto(f"{demo_server.origin}/staff/board")
    for tab in (page, board):
        expect(tab.locator("#live-state")).to_have_attribute("data-state", "live")
        tab.evaluate("window.__noReload = true")

    page.context.set_offline(True)
    for tab in (page, board):
        expect(tab.locator("#live-state")).to_have_attribute("data-state", "reconnecting")
    _move(demo_server, claim["id"], "supp_sent")
    page.context.set_offline(False)
    expect(page.locator(STEP)).to_contain_text("Supplement sent", timeout=20000)
    expect(board.locator(f'[data-stage="supp_sent"] [data-claim-id="{claim["id"]}"]')
           ).to_be_visible(timeout=20000)
    for tab in (page, board):
        expect(tab.locator("#live-state")).to_have_attribute("data-state", "live")
        assert tab.evaluate("window.__noReload") is True
    board.close()


def test_without_shared_worker_tabs_elect_one_stream_holder(staff_page, demo_server):
    """Chrome on Android has no SharedWorker: a Web Lock picks one tab to hold the stream and
    a BroadcastChannel carries its events to the others; when it closes another takes over."""
    claim = open_claim_by_api(demo_server, "Android Andy")
    origin = demo_server.origin
    context = staff_page.context
    context.add_init_script("Object.defineProperty(window, 'SharedWorker', {value: undefined})")
    staff_page.close()
    before = _stream_connects(demo_server)
    tabs = [_staff_tab(context, f"{origin}/staff/claims/{claim['id']}") for _ in range(4)]
    tabs += [_staff_tab(context, f"{origin}/staff/board") for _ in range(4)]
    for tab in tabs:
        assert tab.evaluate("typeof window.SharedWorker") == "undefined"
        expect(tab.locator("#live-state")).to_have_attribute("data-state", "live")
        tab.evaluate("window.__noReload = true")
    _move(demo_server, claim["id"], "teardown")
    _expect_tabs_show_teardown(tabs, claim["id"])
    opened = _stream_connects(demo_server) - before
    assert opened <= 2, f"{opened} /staff/events connections for {len(tabs)} tabs"

    tabs[0].close()  # the first tab took the lock: another one takes over
    rest = tabs[1:]
    _move(demo_server, claim["id"], "estimate")
    for tab in rest:
        if "/board" in tab.url:
            expect(tab.locator(f'[data-stage="estimate"] [data-claim-id="{claim["id"]}"]')
                   ).to_be_visible(timeout=10000)
        else:
            expect(tab.locator(STEP)).to_contain_text("Estimate", timeout=10000)
        assert tab.evaluate("window.__noReload") is True
    opened = _stream_connects(demo_server) - before
    assert opened <= 3, f"{opened} /staff/events connections after the hand-over"
