"""Signing from the portal on a phone (390 px): read, consent, draw, sign; and by keyboard only,
with a typed name."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import open_claim_by_api, screenshot
from tests.browser.test_accessibility import violations

SEND = """
from unittest import mock
from claimory.core import durable
from claimory.claims.models import Claim
from claimory.esign import services
claim = Claim.objects.get(pk={claim_id})
with mock.patch.object(durable, "enqueue_now"):
    services.document_send(claim=claim, kind="betterment",
                           values={{"amount": "180", "parts": "Two front tyres"}}, actor=None)
"""

SIGNED = """
from claimory.esign.models import Document
d = Document.objects.filter(claim_id={claim_id}).get()
print(d.status, d.signature_method, bool(d.signature_image), bool(d.signed_pdf))
"""


def _send_document(demo_server, claim_id: int) -> None:
    demo_server.manage("shell", "-c", SEND.format(claim_id=claim_id))


def _document_state(demo_server, claim_id: int) -> list[str]:
    return demo_server.manage("shell", "-c", SIGNED.format(claim_id=claim_id)).split()[-4:]


def _staff_sends_betterment(page, demo_server, claim_id: int) -> None:
    """The front desk, on a phone: claim page → Send a document → Betterment → Preview →
    Send."""
    page.goto(f"{demo_server.origin}/staff/login")
    page.get_by_label("Email").fill("desk@northside.demo")
    page.get_by_label("Password").fill(demo_server.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/(?!login)"))
    page.goto(f"{demo_server.origin}/staff/claims/{claim_id}")
    page.locator("#claim-documents").get_by_role("link", name="Send a document").click()
    page.get_by_role("link", name=re.compile("Betterment")).first.click()
    page.get_by_label(re.compile("Betterment amount")).fill("180")
    page.get_by_label(re.compile("Parts")).fill("Two front tyres")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".doc-paper")).to_contain_text("Two front tyres")
    page.get_by_role("button", name=re.compile("^Send to")).click()
    page.wait_for_url(re.compile(rf"/staff/claims/{claim_id}(/documents/\d+)?$"))


def test_staff_send_customer_draws_and_signs_sealed_pdf_on_the_claim(phone, browser,
                                                                     demo_server):
    claim = open_claim_by_api(demo_server, "Signing Sofia")
    staff_context = browser.new_context(viewport={"width": 390, "height": 844},
                                        is_mobile=True, has_touch=True)
    staff = staff_context.new_page()
    _staff_sends_betterment(staff, demo_server, claim["id"])

    phone.goto(claim["portal_url"])
    documents = phone.locator("#documents")
    expect(documents).to_contain_text("Waiting for your signature")
    documents.get_by_role("link", name=re.compile("Read and sign")).click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Betterment approval")
    expect(phone.locator(".doc-text")).to_contain_text("Two front tyres")
    assert violations(phone) == []  # the consent step
    phone.get_by_role("button", name="I agree to sign electronically").click()

    expect(phone.get_by_label("Draw", exact=True)).to_be_checked()
    pad = phone.get_by_role("img", name="Signature pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    phone.mouse.move(box["x"] + 20, box["y"] + box["height"] * .7)
    phone.mouse.down()
    for step in range(1, 25):
        phone.mouse.move(box["x"] + 20 + step * 10,
                         box["y"] + box["height"] * (.3 if step % 4 < 2 else .7))
    phone.mouse.up()
    assert phone.locator("#drawing").input_value().startswith("data:image/png;base64,")
    phone.get_by_label("Your full name").fill("Sofia Signing")
    phone.get_by_label(re.compile("I agree that this is my signature")).check()
    assert violations(phone) == []  # the sign form
    screenshot(phone, "esign-portal-drawn")
    phone.get_by_role("button", name="I agree and sign Betterment approval").click()

    expect(phone.locator("#documents")).to_contain_text("Signed — thank you")
    expect(phone.locator("#documents")).not_to_contain_text("Read and sign")
    status, method, image, _pdf = _document_state(demo_server, claim["id"])
    assert (status, method, image) == ("signed", "drawn", "True")

    # The worker seals the PDF; the customer can download it and the claim shows it valid.
    demo_server.manage("worker", "--batch")
    assert _document_state(demo_server, claim["id"])[3] == "True"
    phone.reload()
    expect(phone.locator("#documents").get_by_role(
        "link", name=re.compile("Download signed PDF"))).to_be_visible()
    staff.goto(f"{demo_server.origin}/staff/claims/{claim['id']}")
    staff.locator("#claim-documents").get_by_role("link", name="Betterment approval").click()
    expect(staff.locator("[data-seal]")).to_contain_text("valid")
    href = staff.get_by_role("link", name="Download signed PDF").get_attribute("href")
    pdf = staff.request.get(demo_server.origin + href)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    staff_context.close()


def test_keyboard_only_signing_with_a_typed_name(desktop, demo_server):
    claim = open_claim_by_api(demo_server, "Keyboard Kim")
    _send_document(demo_server, claim["id"])
    page = desktop
    page.goto(claim["portal_url"])
    link = page.locator("#documents").get_by_role("link", name=re.compile("Read and sign"))
    link.focus()
    page.keyboard.press("Enter")
    consent = page.get_by_role("button", name="I agree to sign electronically")
    consent.focus()
    page.keyboard.press("Enter")

    # Into the method choice, then arrow from "Draw" to "Type my name".
    draw = page.get_by_label("Draw", exact=True)
    expect(draw).to_be_checked()
    draw.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Type my name")).to_be_checked()
    expect(page.locator("#pad-area")).to_be_hidden()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your full name")).to_be_focused()
    page.keyboard.type("Kim Keyboard")
    page.keyboard.press("Tab")
    expect(page.get_by_label(re.compile("I agree that this is my signature"))).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    submit = page.get_by_role("button", name=re.compile("I agree and sign"))
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#documents")).to_contain_text("Signed — thank you")
    status, method, _image, _pdf = _document_state(demo_server, claim["id"])
    assert (status, method) == ("signed", "typed")


def test_a_refusal_focuses_the_error_summary(desktop, demo_server):
    claim = open_claim_by_api(demo_server, "Error Erin")
    _send_document(demo_server, claim["id"])
    page = desktop
    page.goto(claim["portal_url"])
    page.locator("#documents").get_by_role("link", name=re.compile("Read and sign")).click()
    page.get_by_role("button", name="I agree to sign electronically").click()
    page.get_by_label("Type my name").check()
    page.get_by_label("Your full name").fill("E")
    # The browser's own checks would stop this; the server must still explain.
    page.evaluate("document.getElementById('sign-form').noValidate = true")
    page.get_by_role("button", name=re.compile("I agree and sign")).click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("tick")
    expect(summary).to_be_focused()
    assert violations(page) == []
