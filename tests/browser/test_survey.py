"""The post-repair survey on a phone (390 px): a delivered car, the customer answers a 2 with a
comment (by keyboard for the stars), sees the thanks and the shop's review link like any
respondent; the manager finds the follow-up at once."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import open_claim_by_api, screenshot
from tests.browser.test_accessibility import violations


def _deliver(demo_server, claim_id: int) -> None:
    response = httpx.post(f"{demo_server.origin}/api/v1/claims/{claim_id}/stage",
                          json={"stage": "delivered"}, timeout=10,
                          headers={"Authorization": f"Bearer {demo_server.api_key}"})
    assert response.status_code == 200, response.text


def test_customer_answers_a_2_sees_the_review_link_and_staff_sees_the_follow_up(
        phone, staff_page, demo_server):
    claim = open_claim_by_api(demo_server, "Survey Sam")
    _deliver(demo_server, claim["id"])
    page = phone
    page.goto(claim["portal_url"])
    survey = page.locator("#survey")
    expect(survey.get_by_role("heading", name="How was your repair?")).to_be_visible()
    assert violations(page) == []
    screenshot(page, "survey-offered-390")
    # Keyboard: focus the first star, arrow right once -> 2 (a native radio group).
    overall = survey.get_by_role("group", name=re.compile("Overall, how did we do"))
    overall.get_by_role("radio", name="1").focus()
    page.keyboard.press("ArrowRight")
    expect(overall.get_by_role("radio", name="2")).to_be_checked()
    survey.get_by_role("group", name=re.compile("recommend")).get_by_text("3", exact=True).click()
    survey.get_by_label(re.compile("Anything else")).fill("Door trim rattles since pickup.")
    survey.get_by_role("button", name="Send my answers").click()
    expect(survey.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    link = survey.get_by_role("link", name=re.compile("Write a public review"))
    expect(link).to_have_attribute("href", re.compile(r"^https://search\.google\.com/"))
    assert "follow" not in survey.inner_text().lower()
    assert violations(page) == []
    screenshot(page, "survey-thanks-390")

    staff = staff_page
    staff.goto(f"{demo_server.origin}/staff/follow-ups")
    item = staff.locator(".followup", has_text="Survey Sam")
    expect(item).to_contain_text("Door trim rattles since pickup.")
    expect(item).to_contain_text("2/5")
    expect(staff.locator("#follow-ups-badge")).to_be_visible()
    assert violations(staff) == []
    item.get_by_label("What was done").fill("Called Sam, trim clip replaced Friday.")
    item.get_by_role("button", name=re.compile("Resolve")).click()
    expect(staff.locator(".followup", has_text="Survey Sam")).to_contain_text("Resolved")
    staff.goto(f"{demo_server.origin}/staff/claims/{claim['id']}")
    expect(staff.locator("#survey")).to_contain_text("Follow-up resolved")
