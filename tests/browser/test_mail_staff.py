"""Email on a phone (390 px): staff open a claim with the adjuster's email, expand its quoted
history, reply — the reply is queued with In-Reply-To set — and place an unmatched email from
the inbox in one click. Screenshots of the email section, compose and the queue (390, 1366)."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, open_claim_by_api

ADJUSTER = "dana.reyes@carrier-mail.test"
SHOP = "service@northside.demo"

SETUP = """
import json
from claimory.claims.models import Claim
from claimory.mail.filing import mail_file
from claimory.mail.models import Mailbox
claim = Claim.objects.select_related("location").get(pk={claim_id})
Mailbox.objects.get_or_create(location=claim.location, defaults=dict(
    provider="imap", address="{shop}", display_name="Northside Collision",
    imap_host="127.0.0.1", smtp_host="127.0.0.1", username="{shop}"))
ask = (b"From: Dana Reyes <{adjuster}>\\r\\nTo: {shop}\\r\\nSubject: Supplement for {ro}\\r\\n"
       b"Message-ID: <ask-{claim_id}@carrier-mail.test>\\r\\n"
       b"Date: Mon, 7 Dec 2026 09:00:00 +0000\\r\\n"
       b"\\r\\nPlease send the teardown photos for {ro}.\\r\\n\\r\\n"
       b"On Fri, Dec 4, 2026 Northside wrote:\\r\\n> Supplement attached for {ro}.\\r\\n")
loose = (b"From: Ivan Appraiser <ivan-{claim_id}@ia-mail.test>\\r\\nTo: {shop}\\r\\n"
         b"Subject: Inspection photos\\r\\nMessage-ID: <loose-{claim_id}@ia-mail.test>\\r\\n"
         b"Date: Mon, 7 Dec 2026 10:00:00 +0000\\r\\n\\r\\nPhotos from the inspection.\\r\\n")
a = mail_file(location=claim.location, raw=ask, source="import").mail
b = mail_file(location=claim.location, raw=loose, source="import").mail
print(json.dumps({{"ask": a.pk, "ask_claim": a.claim_id, "loose": b.pk, "loose_status": b.status}}))
"""

CHECK = """
import json
from claimory.mail.models import MailMessage
out = MailMessage.objects.filter(claim_id={claim_id}, direction="out").order_by("-id").first()
loose = MailMessage.objects.get(pk={loose})
print(json.dumps({{"status": out and out.status, "in_reply_to": out and out.in_reply_to,
                  "to": out and out.to, "loose": [loose.status, loose.claim_id]}}))
"""


def _sign_in(page, server) -> None:
    page.goto(f"{server.origin}/staff/login")
    page.get_by_label("Email").fill(server.staff_email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/(?!login)"))


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _section_shot(page, selector: str, name: str) -> None:
    """The element cut from a full-page shot (an element shot would have the sticky top bar
    over its first lines)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("scrollTo(0, 0)")
    box = page.locator(selector).evaluate(
        "el => { const r = el.getBoundingClientRect(); return {x: r.left + scrollX, "
        "y: r.top + scrollY, width: r.width, height: r.height}; }")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, clip=box)


def _no_sideways_scroll(page, where: str) -> None:
    widths = page.evaluate("[document.scrollingElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{where}: {widths[0]} px wide in {widths[1]} px"


def test_reply_to_the_adjuster_and_place_mail_from_the_inbox(browser, phone, demo_server):
    claim = open_claim_by_api(demo_server, "Email Person", ro_number="RO-EM-77",
                              claim_number="CLM-EM-77", adjuster_name="Dana Reyes",
                              adjuster_email=ADJUSTER)
    ro = "RO-EM-77"
    made = json.loads(demo_server.manage("shell", "-c", SETUP.format(
        claim_id=claim["id"], shop=SHOP, adjuster=ADJUSTER, ro=ro)).strip().splitlines()[-1])
    assert made["ask_claim"] == claim["id"] and made["loose_status"] == "unmatched"

    page = phone
    _sign_in(page, demo_server)
    page.goto(f"{demo_server.origin}/staff/claims/{claim['id']}#email")
    section = page.locator("#email")
    expect(section).to_contain_text("Please send the teardown photos")
    quoted = section.locator("details.mail__quoted")
    expect(quoted.locator(".mail__quote")).to_be_hidden()
    quoted.locator("summary").click()
    expect(quoted.locator(".mail__quote")).to_be_visible()
    expect(quoted).to_contain_text("Supplement attached")
    _no_sideways_scroll(page, "claim email section at 390")
    _section_shot(page, "#email", "mailstaff-claim-email-390")

    section.get_by_role("link", name=re.compile(r"^Reply to Dana Reyes")).click()
    page.wait_for_url(re.compile(r"/email/new\?reply="))
    expect(page.get_by_label("To", exact=True)).to_have_value(f"Dana Reyes <{ADJUSTER}>")
    expect(page.get_by_label("Subject")).to_have_value(f"Re: Supplement for {ro}")
    page.get_by_label("Message").fill("Photos go out this afternoon.")
    _no_sideways_scroll(page, "compose at 390")
    _shot(page, "mailstaff-compose-390")
    # A typo in the address comes back on its field, the rest kept (no JavaScript needed).
    page.get_by_label("To", exact=True).fill("dana.reyes at carrier")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".field--error")).to_contain_text("is not an email address")
    expect(page.get_by_label("Message")).to_have_value("Photos go out this afternoon.")
    _shot(page, "mailstaff-compose-error-390")
    page.get_by_label("To", exact=True).fill(f"Dana Reyes <{ADJUSTER}>")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(rf"/staff/claims/{claim['id']}"))
    expect(page.locator("#email")).to_contain_text("Queued to send")
    expect(page.locator("#email")).to_contain_text("Photos go out this afternoon.")

    # The inbox: one click places the appraiser's email.
    page.goto(f"{demo_server.origin}/staff/inbox")
    row = page.locator(f".thread-row[data-mail-id='{made['loose']}']")
    expect(row).to_contain_text("Inspection photos")
    _no_sideways_scroll(page, "inbox at 390")
    _section_shot(page, "section[aria-labelledby=mail-queue-title]", "mailstaff-queue-390")
    _shot(page, "mailstaff-inbox-390")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_cookies(page.context.cookies())
    wide = context.new_page()
    wide.goto(f"{demo_server.origin}/staff/inbox")
    _shot(wide, "mailstaff-inbox-1366")
    wide.goto(f"{demo_server.origin}/staff/inbox/mail/{made['loose']}?q={ro}")
    _shot(wide, "mailstaff-mail-detail-1366")
    row.get_by_role("link", name=re.compile("Place it")).click()
    page.get_by_label(re.compile("Search claims")).fill(ro)
    page.get_by_role("button", name="Search").click()
    _shot(page, "mailstaff-mail-detail-390")
    page.get_by_role("button", name=re.compile(f"Attach to {ro}")).click()
    page.wait_for_url(re.compile(rf"/staff/claims/{claim['id']}"))
    expect(page.locator("#email")).to_contain_text("Photos from the inspection.")

    state = json.loads(demo_server.manage("shell", "-c", CHECK.format(
        claim_id=claim["id"], loose=made["loose"])).strip().splitlines()[-1])
    assert state["status"] == "queued"
    assert state["in_reply_to"] == f"<ask-{claim['id']}@carrier-mail.test>"
    assert state["to"] == [["Dana Reyes", ADJUSTER]]
    assert state["loose"] == ["filed", claim["id"]]

    # The same pages on a laptop, for the screenshots.
    wide.goto(f"{demo_server.origin}/staff/claims/{claim['id']}#email")
    wide.locator("#email details.mail__quoted summary").first.click()
    _section_shot(wide, "#email", "mailstaff-claim-email-1366")
    wide.goto(f"{demo_server.origin}/staff/claims/{claim['id']}/email/new?reply={made['ask']}"
              "&template=supplement")
    _shot(wide, "mailstaff-compose-1366")
    context.close()
