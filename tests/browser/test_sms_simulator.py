"""The two-way texting loop in the simulator, as a demo shows it: staff reply on the claim
page → the customer's simulated phone gets it → the customer texts back from that phone →
the text lands on the claim's thread and on the portal. Then an AI draft: nothing reaches the
phone until a person presses Send."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import open_claim_by_api, screenshot


def _work(demo_server) -> None:
    """What `claimory worker` does in the background: send queued texts, process events."""
    demo_server.manage("worker", "--batch")


def test_simulator_round_trip(staff_page, phone, demo_server):
    page = staff_page
    claim = open_claim_by_api(demo_server, "Rosa Simulada", customer={
        "name": "Rosa Simulada", "phone": "(512) 555-0168", "language": "en",
        "sms_opt_in": True})
    page.goto(f"{demo_server.origin}/staff/claims/{claim['id']}")
    sim = page.locator("#sim-phone")
    expect(sim).to_contain_text("Simulated phone — no real texts are sent")

    # Staff reply: on the phone once the worker has sent it (the page updates by itself).
    page.get_by_label("Reply to the customer").fill("Hi Rosa, your Outback is in teardown.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#thread-live")).to_contain_text("your Outback is in teardown")
    _work(demo_server)
    expect(page.locator("#sim-phone")).to_contain_text(
        "Northside Collision: Hi Rosa, your Outback is in teardown.", timeout=20_000)

    # The customer answers from the simulated phone: the same inbound path as a webhook.
    page.get_by_label("Reply as the customer").fill("Great, thanks! Any news on the bumper?")
    page.locator("#sim-phone").get_by_role("button", name="Send").click()
    expect(page.locator("#sim-phone")).to_contain_text("Any news on the bumper?")
    _work(demo_server)
    thread = page.locator("#thread-live")
    expect(thread).to_contain_text("Great, thanks! Any news on the bumper?", timeout=20_000)
    expect(thread.locator(".bubble--in").last).to_contain_text("SMS")
    screenshot(page, "simulator-claim-1366")

    phone.goto(claim["portal_url"])
    expect(phone.locator("body")).to_contain_text("Any news on the bumper?")
    expect(phone.locator("body")).to_contain_text("your Outback is in teardown")

    # A draft: shown as "not sent", and the phone gets nothing until a person sends it.
    page.get_by_role("button", name="Draft a reply").click()
    draft = page.locator("[data-draft]").first
    expect(draft).to_contain_text("Draft — not sent")
    draft.locator("textarea").fill("Hi Rosa, the bumper arrives Thursday.")
    _work(demo_server)
    expect(page.locator("#sim-phone")).not_to_contain_text("bumper arrives Thursday")
    draft.get_by_role("button", name="Send").click()
    expect(page.locator("#thread-live")).to_contain_text("the bumper arrives Thursday")
    _work(demo_server)
    expect(page.locator("#sim-phone")).to_contain_text("the bumper arrives Thursday",
                                                       timeout=20_000)
