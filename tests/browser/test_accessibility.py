"""axe-core (bundled by the axe-playwright-python package) finds no WCAG 2.2 A/AA violations
on the pages people use: the portal at phone width, the dead-link page, the public shop page,
and the staff screens."""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page) -> list[str]:
    # Runtime.evaluate is not subject to the page's CSP, so no policy is loosened for tests.
    page.evaluate(AXE_JS)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
    ]


def test_portal_has_no_wcag_violations_at_phone_width(phone, demo_server):
    phone.goto(demo_server.portal_url)
    assert violations(phone) == []


@pytest.mark.parametrize("path", ["/c/AAAAAAAAAAAAAAAAAAAAAA", "/p/northside-collision",
                                  "/signup", "/p/northside-collision/appointment"])
def test_public_pages_have_no_wcag_violations(phone, demo_server, path):
    phone.goto(demo_server.origin + path)
    assert violations(phone) == []


@pytest.mark.parametrize("path", ["/staff/", "/staff/board", "/staff/claims/new",
                                  "/staff/claims/1", "/staff/inbox", "/staff/settings/stages",
                                  "/staff/settings/email", "/staff/welcome",
                                  "/staff/settings/team", "/staff/appointments",
                                  "/staff/settings/appointments",
                                  "/staff/print/1/work-order", "/staff/simulator/",
                                  "/staff/inbox/unmatched/1",
                                  "/staff/simulator/?location=northside-collision"
                                  "&phone=%2B15125550142"])
def test_staff_pages_have_no_wcag_violations(staff_page, demo_server, path):
    staff_page.goto(demo_server.origin + path)
    assert violations(staff_page) == []


def test_appointment_pages_have_no_wcag_violations(phone, demo_server):
    phone.goto(demo_server.portal_url + "/appointment?kind=pickup")
    assert violations(phone) == []
    phone.locator(".slot-day[open] .slot").first.click()
    phone.get_by_role("button", name="Request this time").click()
    phone.wait_for_url("**/a/**")
    assert violations(phone) == []
