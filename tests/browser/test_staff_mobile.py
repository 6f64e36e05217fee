"""Staff screens on a phone (390×844, and 360 wide) and a laptop (1366×768).

Every /staff/ page must fit the phone's width (no sideways scroll), and its primary actions
must be on screen, thumb-sized (44 px) and really under the finger: the element found at the
centre of a button is that button (nothing sticky or overflowing lies on top of it).
Screenshots of every page at 390, 1366 (and the board at 768) go to artifacts/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, open_claim_by_api

PAGES = {
    "claims": "/staff/",
    "claim": "/staff/claims/{claim}",
    "claim_new": "/staff/claims/new",
    "claim_edit": "/staff/claims/{claim}/edit",
    "inbox": "/staff/inbox?tab=all",
    "board": "/staff/board",
    "settings_stages": "/staff/settings/stages",
    "settings_location": "/staff/settings/location",
    "settings_texting": "/staff/settings/texting",
    "settings_notifications": "/staff/settings/notifications",
    "simulator": "/staff/simulator/",
    "document_new": "/staff/claims/{claim}/documents/new?kind=betterment",
    "settings_documents": "/staff/settings/documents",
    "settings_email": "/staff/settings/email",
    "photo_new": "/staff/claims/{claim}/photos/new",
    "estimates_import": "/staff/estimates/import",
    "welcome": "/staff/welcome",
    "settings_team": "/staff/settings/team",
    "appointments": "/staff/appointments",
    "appointment": "/staff/appointments/{appointment}",
    "settings_appointments": "/staff/settings/appointments",
}

# The actions a person comes to each page for (CSS selectors; the first match is checked).
PRIMARY = {
    "claims": ["input[name=q]", ".filters__search button", ".filters__toggle summary",
               ".claims-table tbody tr"],
    "claim": [".page-head__actions a[href$='/work-order']", ".page-head__actions a[href$='/edit']",
              "#claim-progress select", "#claim-progress button", "#thread textarea",
              "[data-reply-send]", ".note-form button"],
    "claim_new": ["#id_customer_name", ".form-actions button[type=submit]"],
    "claim_edit": [".form-actions button[type=submit]", ".form-actions a"],
    "inbox": [".tabs--inbox a", ".thread-row__actions a.btn", ".assign-form select",
              ".assign-form button"],
    "board": [".board-stages a", ".bcard__toggle", ".bcard"],
    "settings_stages": [".stage-item__order button:not([disabled])", ".stage-item summary",
                        "#add-stage button[type=submit]"],
    "settings_location": ["#id_name", ".form-actions button[type=submit]"],
    "settings_texting": ["#find button[type=submit]", ".tabs a"],
    "settings_notifications": [".tabs a", "button.btn--primary"],
    "simulator": [".sim-numbers a"],
    "document_new": [".doc-kind-tabs a[aria-current]", "#id_amount", "button[value=preview]"],
    "settings_documents": [".tabs a[aria-current]", "#signing button[type=submit]",
                           "#template-betterment summary"],
    "settings_email": [".tabs a[aria-current]", "#mailbox-settings button[type=submit]",
                       "#other summary"],
    "photo_new": ["input[type=file]", "#id_stage", ".switch"],
    "estimates_import": ["#estimate-files", "form[enctype] button[type=submit]"],
    "welcome": [".checklist__actions .btn", ".welcome__hide button"],
    "settings_team": ["#id_invite-name", "#invite button[type=submit]", ".team__manage summary"],
    "appointments": [".tabs a[aria-current]", ".appt-pager a[rel=next]", ".appt-row__main",
                     ".appt-row form button"],
    "appointment": ["#id_start", "#id_reason", ".btn--danger"],
    "settings_appointments": [".tabs a[aria-current]", "#id_slot_minutes",
                              "#rules button[type=submit]", "#feed-url"],
}

# Elements that must be at least 44 px tall on a phone (fields, buttons, button-links).
TAP_MIN = 44

REACH = """(el) => {
  el.scrollIntoView({block: "center", inline: "nearest"});
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height,
          width: r.width, hits: !!hit && (hit === el || el.contains(hit)),
          hit: hit ? hit.outerHTML.slice(0, 120) : null};
}"""


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
    """A demo claim with a conversation, so the claim page shows its thread."""
    staff_phone.goto(f"{demo_server.origin}/staff/inbox?tab=all")
    return staff_phone.locator(".thread-row[data-claim-id]").first.get_attribute("data-claim-id")


def _laptop(browser, signed_in_page, width=1366, height=768):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_cookies(signed_in_page.context.cookies())
    return context, context.new_page()


def _no_sideways_scroll(page, where: str) -> None:
    # clientWidth, not innerWidth: a mobile browser widens innerWidth to the overflow.
    widths = page.evaluate("[document.scrollingElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], \
        f"{where}: page is {widths[0]} px wide in a {widths[1]} px window"


def _reachable(page, selector: str, where: str, *, tap_min: int = TAP_MIN) -> dict:
    element = page.locator(selector).first
    expect(element, f"{where}: {selector}").to_be_visible()
    box = element.evaluate(REACH)
    width = page.evaluate("window.innerWidth")
    assert box["left"] >= 0 and box["right"] <= width + 0.5, \
        f"{where}: {selector} is off screen {box}"
    assert box["hits"], f"{where}: a tap on {selector} lands on {box['hit']}"
    assert box["height"] >= tap_min - 0.5, f"{where}: {selector} is {box['height']} px tall"
    return box


def phone_screenshot(page, name: str) -> None:
    """A whole-page phone screenshot taken as a tall viewport: a full_page capture re-lays the
    page out without touch emulation, so the (hover: none) rules would not show in it."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    page.evaluate("window.scrollTo(0, 0)")
    height = page.evaluate("document.scrollingElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(height, 8000)})
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size(size)


def _url(page, server, name: str, claim_id: str) -> str:
    appointment = ""
    if "{appointment}" in PAGES[name]:  # a demo appointment waiting for confirmation
        page.goto(f"{server.origin}/staff/appointments")
        href = page.locator(".appt-row--requested .appt-row__main").first.get_attribute("href")
        appointment = href.rsplit("/", 1)[1]
    return server.origin + PAGES[name].format(claim=claim_id, appointment=appointment)


@pytest.mark.parametrize("name", list(PAGES))
def test_staff_page_fits_a_phone_and_its_actions_are_tappable(staff_phone, claim_id,
                                                              demo_server, name):
    page = staff_phone
    page.goto(_url(page, demo_server, name, claim_id))
    _no_sideways_scroll(page, f"{name} at 390")
    # The compact top bar: one row, the menu button and New claim within reach.
    bar = page.locator(".topbar").bounding_box()
    assert bar["height"] <= 64
    _reachable(page, ".navtoggle summary", name)
    _reachable(page, ".topbar__new", name)
    _reachable(page, ".usermenu summary", name)
    for selector in PRIMARY[name]:
        _reachable(page, selector, name)
    phone_screenshot(page, f"staff-390-{name}")
    page.set_viewport_size({"width": 360, "height": 740})
    _no_sideways_scroll(page, f"{name} at 360")


def test_phone_menu_opens_without_javascript_and_every_link_is_tappable(browser, staff_phone,
                                                                        demo_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, java_script_enabled=False)
    context.add_cookies(staff_phone.context.cookies())
    page = context.new_page()
    page.goto(f"{demo_server.origin}/staff/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.locator(".navtoggle summary").tap()
    expect(nav).to_be_visible()
    for label in ("Claims", "Board", "Inbox", "Settings"):
        link = nav.get_by_role("link", name=re.compile(f"^{label}"))
        box = link.evaluate(REACH)
        assert box["hits"] and box["height"] >= TAP_MIN, (label, box)
    _no_sideways_scroll(page, "menu open")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staff-390-menu-open.png"))
    nav.get_by_role("link", name=re.compile("^Board")).tap()
    page.wait_for_url(f"{demo_server.origin}/staff/board")
    context.close()


def test_a_claim_card_opens_the_claim_with_one_tap(staff_phone, demo_server):
    page = staff_phone
    page.goto(f"{demo_server.origin}/staff/")
    card = page.locator(".claims-table tbody tr").first
    # Stage and ETA show on the card (the old table hid them off the right edge).
    expect(card.locator(".col-stage .stage-pill")).to_be_visible()
    expect(card.locator(".col-eta")).to_be_visible()
    # The whole card is the link's tap area, not only the 18 px RO number.
    assert card.evaluate(REACH)["hit"].startswith('<a class="row-link"')
    box = card.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.55)
    page.wait_for_url(re.compile(r"/staff/claims/\d+$"))


def test_sign_in_page_fits_a_phone(phone, demo_server):
    phone.goto(f"{demo_server.origin}/staff/login")
    _no_sideways_scroll(phone, "sign-in")
    for selector in ("#id_username", "#id_password", "button[type=submit]"):
        _reachable(phone, selector, "sign-in")
    phone.get_by_label("Email").fill(demo_server.staff_email)
    phone.get_by_label("Password").fill("wrong password")
    phone.get_by_role("button", name="Sign in").tap()
    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text("email and password")
    expect(alert).not_to_contain_text("username")
    phone_screenshot(phone, "staff-390-sign_in")


def test_board_on_a_phone_moves_a_card_with_the_move_button(staff_phone, demo_server):
    claim = open_claim_by_api(demo_server, "Thumb Theo")
    page = staff_phone
    page.goto(f"{demo_server.origin}/staff/board")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    # Touch screens get a one-line hint, not keyboard instructions.
    expect(page.locator(".board-help--pointer")).to_be_hidden()
    expect(page.locator(".board-help--touch")).to_be_visible()
    card = page.locator(f'[data-claim-id="{claim["id"]}"]')
    start = card.evaluate("c => c.closest('[data-stage]').dataset.stage")
    # With JS the select + Move pair stays folded until the card's Move button opens it.
    expect(card.locator(".bcard__move")).to_be_hidden()
    page.locator(f'.board-stages a[data-jump="{start}"]').tap()
    toggle = card.locator(".bcard__toggle")
    # A tap anywhere on the card (but its Move button) opens the claim.
    assert card.evaluate(REACH)["hit"].startswith('<a class="bcard__title"')
    _reachable(page, f'[data-claim-id="{claim["id"]}"] .bcard__toggle', "board card")
    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(card.locator(".bcard__move select")).to_be_visible()
    card.locator(".bcard__move select").select_option("estimate")
    card.locator(".bcard__move button").tap()
    moved = page.locator(f'[data-stage="estimate"] [data-claim-id="{claim["id"]}"]')
    expect(moved).to_be_visible()
    expect(page.locator("#board-live")).to_contain_text("moved to Estimate")
    expect(page.locator('.board-stages a[data-jump="estimate"] [data-jump-count]')).to_have_text(
        str(page.locator('[data-stage="estimate"] .bcard').count()))
    page.reload()
    expect(moved).to_be_attached()  # saved: still in Estimate after a reload


@pytest.mark.parametrize("width", [390, 768])
def test_every_board_column_is_one_tap_away_on_small_screens(browser, staff_phone, demo_server,
                                                             width):
    height = 1024 if width > 400 else 844
    context = browser.new_context(viewport={"width": width, "height": height},
                                  is_mobile=True, has_touch=True)
    context.add_cookies(staff_phone.context.cookies())
    page = context.new_page()
    page.goto(f"{demo_server.origin}/staff/board")
    _no_sideways_scroll(page, f"board at {width}")
    if width == 768:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "staff-768-board.png"))
    columns = page.locator(".board > .column")
    assert columns.count() == 8
    board_box = page.locator(".board").bounding_box()
    for slug in columns.evaluate_all("cs => cs.map(c => c.dataset.stage)"):
        chip = page.locator(f'.board-stages a[data-jump="{slug}"]')
        chip.evaluate("el => el.scrollIntoView({block: 'nearest', inline: 'center'})")
        chip.tap()
        head = page.locator(f"#column-{slug} .column__head")
        page.wait_for_function(
            """([slug, left, right]) => {
                 const r = document.querySelector('#column-' + slug).getBoundingClientRect();
                 return r.left >= left - 1 && r.left < right - 100;
               }""", arg=[slug, board_box["x"], board_box["x"] + board_box["width"]])
        expect(head).to_be_in_viewport()
        expect(chip).to_have_attribute("aria-current", "true")
    context.close()


def test_board_on_a_laptop_shows_all_eight_columns_without_cut_cards(browser, staff_phone,
                                                                     demo_server):
    context, page = _laptop(browser, staff_phone)
    page.goto(f"{demo_server.origin}/staff/board")
    _no_sideways_scroll(page, "board at 1366")
    board = page.locator(".board").bounding_box()
    columns = page.locator(".board > .column")
    assert columns.count() == 8
    for i in range(8):
        box = columns.nth(i).bounding_box()
        inside = (box["x"] >= board["x"] - 0.5
                  and box["x"] + box["width"] <= board["x"] + board["width"] + 0.5)
        assert inside, f"column {i + 1} of 8 is outside the board's view: {box} vs {board}"
        assert box["width"] >= 140
    # No card's text runs past its edge, and the column heads stay put while cards scroll.
    cut = page.eval_on_selector_all(
        ".bcard, .bcard *", "els => els.filter(e => !e.closest('.visually-hidden') "
        "&& e.getClientRects().length && e.scrollWidth > e.clientWidth + 1 "
        "&& getComputedStyle(e).overflow !== 'visible').length")
    assert cut == 0
    clipped = page.eval_on_selector_all(
        ".bcard", "cards => cards.filter(c => [...c.querySelectorAll('*')].some(e => "
        "e.getBoundingClientRect().right > c.getBoundingClientRect().right + 1)).length")
    assert clipped == 0
    assert page.eval_on_selector(".column__head", "h => getComputedStyle(h).position") == "sticky"
    # A mouse and keyboard laptop: the keyboard instructions show, the select + Move pair not.
    expect(page.locator(".board-help--pointer")).to_be_visible()
    expect(page.locator(".bcard__move").first).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "staff-1366-board.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_staff_page_on_a_laptop(browser, staff_phone, claim_id, demo_server, name):
    context, page = _laptop(browser, staff_phone)
    page.goto(_url(page, demo_server, name, claim_id))
    _no_sideways_scroll(page, f"{name} at 1366")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.locator(".navtoggle")).to_be_hidden()
    for selector in PRIMARY[name]:
        if selector in (".bcard__toggle", ".filters__toggle summary"):
            continue  # shown on hover or focus with a mouse / a phone-only disclosure
        _reachable(page, selector, f"{name} at 1366", tap_min=0)
    if name == "claims":
        expect(page.locator(".filters__toggle")).to_be_hidden()  # a phone-only disclosure
        expect(page.locator(".filters__row")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"staff-1366-{name}.png"), full_page=True)
    context.close()


def test_print_links_on_a_phone_right_after_opening_a_claim(staff_phone, demo_server):
    claim = open_claim_by_api(demo_server, "Printing Pia")
    page = staff_phone
    page.goto(f"{demo_server.origin}/staff/claims/{claim['id']}?new=1")
    expect(page.get_by_role("heading", name="Print the work order now")).to_be_visible()
    # One set of print buttons (in the callout), not a second one in the page head.
    expect(page.get_by_role("link", name="Print work order")).to_have_count(1)
    _no_sideways_scroll(page, "new claim page")
    for selector in (".callout a[href$='/work-order']", ".callout a[href$='/hang-tag']",
                     ".callout a[href$='/card']", ".callout .menu summary"):
        _reachable(page, selector, "new claim page")
    page.locator(".callout .menu summary").tap()
    for link in page.locator(".callout .menu__panel a").all():
        box = link.evaluate(REACH)
        assert box["hits"] and box["left"] >= 0 and box["right"] <= 390, box
        assert box["height"] >= TAP_MIN
    _no_sideways_scroll(page, "PDF menu open")
    phone_screenshot(page, "staff-390-claim_just_opened")


def _demo_document(server) -> tuple[int, int]:
    """The demo's document waiting for a signature: (claim id, document id), via the API."""
    import httpx

    headers = {"Authorization": f"Bearer {server.api_key}"}
    claims = httpx.get(f"{server.origin}/api/v1/claims?limit=50", headers=headers,
                       timeout=10).json()["items"]
    for claim in claims:
        documents = httpx.get(f"{server.origin}/api/v1/claims/{claim['id']}/documents",
                              headers=headers, timeout=10).json()
        # Still waiting (other tests on this worker's server may have signed their own).
        waiting = [d for d in documents if d["status"] in ("sent", "viewed")]
        if waiting:
            return claim["id"], waiting[0]["id"]
    raise AssertionError("the demo seeds a document waiting for a signature")


def test_document_page_on_a_phone_and_a_laptop(browser, staff_phone, demo_server):
    claim, document = _demo_document(demo_server)
    url = f"{demo_server.origin}/staff/claims/{claim}/documents/{document}"
    page = staff_phone
    page.goto(url)
    _no_sideways_scroll(page, "document at 390")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    for selector in ("#id_reason", "#void button[type=submit]", ".page-head__actions a"):
        _reachable(page, selector, "document")
    phone_screenshot(page, "staff-390-document")
    context, laptop = _laptop(browser, staff_phone)
    laptop.goto(url)
    _no_sideways_scroll(laptop, "document at 1366")
    _reachable(laptop, "#void button[type=submit]", "document at 1366", tap_min=0)
    laptop.screenshot(path=str(ARTIFACTS / "staff-1366-document.png"), full_page=True)
    context.close()
