"""GET and PATCH /api/v1/location: the key's own shop settings."""

from __future__ import annotations

from claimory.shops.models import Location


def test_location_shows_settings_address_hours_and_stages(api, location):
    body = api.get("/api/v1/location").json()
    assert body["slug"] == "northside"
    assert body["name"] == "Northside Collision"
    assert body["phone"] == "+15125550100"
    assert body["address"] == {
        "line1": "4100 N Lamar Blvd", "line2": "", "city": "Austin", "region": "TX",
        "postal_code": "78756", "country": "US",
        "one_line": "4100 N Lamar Blvd, Austin, TX 78756",
    }
    assert body["timezone"] == "America/Chicago"
    assert body["hours"]["mon"] == {"open": "07:30", "close": "17:30"}
    assert body["hours"]["sun"] is None
    assert body["pickup_hours"]["sat"] == {"open": "09:00", "close": "12:00"}
    assert body["public_url"].endswith("/p/northside")
    assert [s["slug"] for s in body["stages"]] == [
        "pictures", "estimate", "teardown", "supp_sent", "supp_appr", "started", "completed",
        "delivered"]


def test_patch_changes_only_what_it_names(api, location):
    response = api.patch("/api/v1/location", {
        "name": "Northside Collision Center",
        "phone": "512.555.0199",
        "sms_number": "(512) 555-0111",
        "address": {"line2": "Bay 4"},
        "hours": {"sat": None, "mon": {"open": "08:00", "close": "18:00"}},
        "show_deductible": False,
        "portal_expiry_days": 14,
        "brand_color": "#aa3300",
        "tagline": "Since 1987",
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Northside Collision Center"
    assert body["phone"] == "+15125550199"
    assert body["sms_number"] == "+15125550111"
    assert body["address"]["line1"] == "4100 N Lamar Blvd"
    assert body["address"]["one_line"] == "4100 N Lamar Blvd, Bay 4, Austin, TX 78756"
    assert body["hours"]["mon"] == {"open": "08:00", "close": "18:00"}
    assert body["hours"]["tue"] == {"open": "07:30", "close": "17:30"}
    assert body["hours"]["sat"] is None
    assert body["pickup_hours"]["sat"] == {"open": "09:00", "close": "12:00"}
    location.refresh_from_db()
    assert (location.show_deductible, location.portal_expiry_days) == (False, 14)
    assert location.show_estimate_total is True
    assert location.address_line2 == "Bay 4"


def test_empty_patch_changes_nothing(api, location):
    before = api.get("/api/v1/location").json()
    response = api.patch("/api/v1/location", {})
    assert response.status_code == 200
    assert response.json() == before


def _fields(response) -> dict:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    return error["fields"]


def test_bad_settings_are_422_with_field_paths(api, location):
    assert "phone" in _fields(api.patch("/api/v1/location", {"phone": "555"}))
    assert "timezone" in _fields(api.patch("/api/v1/location", {"timezone": "Mars/Olympus"}))
    assert "brand_color" in _fields(api.patch("/api/v1/location", {"brand_color": "red"}))
    assert "email" in _fields(api.patch("/api/v1/location", {"email": "not-an-email"}))
    assert "hours" in _fields(api.patch("/api/v1/location", {
        "hours": {"mon": {"open": "18:00", "close": "08:00"}}}))
    assert _fields(api.patch("/api/v1/location", {
        "hours": {"mon": {"open": "8am", "close": "17:00"}}})) == {
        "hours.mon.open": ["Use 24-hour times like 07:30."]}
    assert "hours.funday" in _fields(api.patch("/api/v1/location", {"hours": {"funday": None}}))
    assert "portal_expiry_days" in _fields(api.patch("/api/v1/location",
                                                     {"portal_expiry_days": 0}))
    location.refresh_from_db()
    assert location.phone == "+15125550100"
    assert location.timezone == "America/Chicago"


def test_read_only_and_unknown_fields_are_rejected(api, location):
    assert "slug" in _fields(api.patch("/api/v1/location", {"slug": "hijack"}))
    assert "address.country" in _fields(api.patch("/api/v1/location",
                                                  {"address": {"country": "MX"}}))
    assert "workspace" in _fields(api.patch("/api/v1/location", {"workspace": 2}))
    assert Location.objects.get(pk=location.pk).slug == "northside"


def test_null_for_a_setting_is_rejected_not_stored(api, location):
    for name in ("name", "tagline", "show_deductible", "portal_expiry_days", "hours"):
        assert name in _fields(api.patch("/api/v1/location", {name: None})), name
    location.refresh_from_db()
    assert location.name == "Northside Collision"


def test_a_key_only_changes_its_own_location(other_api, location, other_location):
    response = other_api.patch("/api/v1/location", {"tagline": "Theirs"})
    assert response.json()["slug"] == "elsewhere"
    location.refresh_from_db()
    assert location.tagline == ""


def test_texting_settings_round_trip(api, location):
    response = api.patch("/api/v1/location", {
        "messaging_profile_id": "40017d8e-aa32-4b6a-9c1e-2f3a4b5c6d7e",
        "quiet_hours": {"start": "20:30", "end": "07:45"}, "tone": "Warm and short."})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["messaging_profile_id"] == "40017d8e-aa32-4b6a-9c1e-2f3a4b5c6d7e"
    assert body["quiet_hours"] == {"start": "20:30", "end": "07:45"}
    location.refresh_from_db()
    assert location.sms_quiet_start.isoformat() == "20:30:00"
    bad = api.patch("/api/v1/location", {"quiet_hours": {"start": "25:00", "end": "07:00"}})
    assert bad.status_code == 422
    bad = api.patch("/api/v1/location", {"messaging_profile_id": "no spaces please"})
    assert bad.status_code == 422
