"""A new customer books from the shop's public page on a phone (390 px), staff confirm it in
the calendar, and the customer's own link then shows it confirmed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_request_confirm_and_see_it_confirmed(phone, staff_page, demo_server):
    page = phone
    page.goto(f"{demo_server.origin}/p/northside-collision/appointment?kind=estimate")
    expect(page.get_by_role("heading", name="Book a visit")).to_be_visible()
    # No sideways scroll at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".slot-day[open] .slot").first.click()
    page.get_by_label("Your name").fill("Riley Browser")
    page.get_by_label("Mobile phone").fill("(512) 555-0188")
    page.get_by_label("Year").fill("2019")
    page.get_by_label("Make").fill("Mazda")
    page.get_by_label("Model").fill("CX-5")
    page.get_by_label("Text me about this appointment").check()
    screenshot(page, "appointment-request-390")
    page.get_by_role("button", name="Request this time").click()
    page.wait_for_url(re.compile(r"/a/[A-Za-z0-9_-]{22}"))
    customer_link = page.url.split("?")[0]
    expect(page.locator("#appt-status")).to_contain_text("waiting for the shop")

    staff = staff_page
    staff.goto(f"{demo_server.origin}/staff/appointments")
    row = staff.locator(".appt-row--requested", has_text="Riley Browser").first
    row.get_by_role("button", name=re.compile("Confirm")).click()
    expect(staff.locator(".messages, [role=status], .alert").first).to_contain_text(
        "confirmed")

    page.goto(customer_link)
    expect(page.locator("#appt-status")).to_have_text("Confirmed")
    screenshot(page, "appointment-confirmed-390")
