"""/api/v1/docs renders Swagger UI in a real browser from local files, under the site's CSP."""

from __future__ import annotations

from tests.browser.conftest import screenshot


def test_api_reference_renders_every_operation_without_outside_requests(desktop, demo_server):
    requested: list[str] = []
    problems: list[str] = []
    desktop.on("request", lambda request: requested.append(request.url))
    desktop.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    desktop.goto(demo_server.origin + "/api/v1/docs")
    desktop.wait_for_selector(".opblock", timeout=15000)
    summaries = desktop.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/claims" in summaries and "/api/v1/location" in summaries
    document = desktop.request.get(demo_server.origin + "/api/v1/openapi.json").json()
    operations = sum(len(item) for item in document["paths"].values())
    assert operations >= 20 and len(desktop.locator(".opblock").all()) == operations
    assert all(url.startswith(demo_server.origin) for url in requested), requested
    assert not [p for p in problems if "Content Security Policy" in p], problems
    screenshot(desktop, "api-docs")
