"""Bad input never answers 500 or HTML: oversize bodies, broken text, unknown paths, CSRF."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from claimory.claims.models import Claim
from tests.api.conftest import days_from_today


def test_body_over_the_upload_limit_is_a_json_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    response = api.post("/api/v1/claims", raw=b'{"customer": {"name": "' + b"x" * 2_700_000
                        + b'"}}')
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "payload_too_large"
    assert not Claim.objects.exists()


def test_lone_surrogate_in_a_message_is_a_json_422(api, claim):
    response = api.post(f"/api/v1/claims/{claim.pk}/messages", raw=b'{"body": "\\ud800x"}')
    assert response.status_code == 422
    assert "body" in response.json()["error"]["fields"]


def test_nul_in_a_query_value_is_a_json_422(api):
    response = api.get("/api/v1/claims", query={"q": "a\x00b"})
    assert response.status_code == 422
    assert "q" in response.json()["error"]["fields"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/claims/1/nope", "/api/v1/%00"])
def test_unknown_api_paths_are_json_404_for_every_method(method, path, api_key, client):
    csrf_client = Client(enforce_csrf_checks=True)
    for headers in ({}, {"Authorization": f"Bearer {api_key}"}):
        response = csrf_client.generic(method, path, "{}", content_type="application/json",
                                       headers=headers)
        assert response.status_code == 404, (method, path, response.content[:80])
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == "not_found"


def test_csrf_never_applies_to_the_bearer_api(api_key, owner):
    # A staff session cookie in the same browser must not turn the API into a CSRF target.
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    answers = [
        client.post("/api/v1/", "{}", content_type="application/json"),
        client.post("/api/v1/openapi.json", "{}", content_type="application/json"),
        client.post("/api/v1/claims", "{}", content_type="application/json"),
    ]
    assert [a.status_code for a in answers] == [405, 405, 401]
    assert all(a["Content-Type"].startswith("application/json") for a in answers)


def test_eta_cleared_then_moved_still_needs_a_reason(api, claim):
    unexplained = api.patch(f"/api/v1/claims/{claim.pk}", {"eta": None})
    assert unexplained.status_code == 422
    assert "eta_reason" in unexplained.json()["error"]["fields"]
    cleared = api.patch(f"/api/v1/claims/{claim.pk}",
                        {"eta": None, "eta_reason": "Waiting on the insurer"})
    assert cleared.status_code == 200, cleared.content
    moved = api.patch(f"/api/v1/claims/{claim.pk}", {"eta": days_from_today(30)})
    assert moved.status_code == 422
    assert "eta_reason" in moved.json()["error"]["fields"]
    explained = api.patch(f"/api/v1/claims/{claim.pk}",
                          {"eta": days_from_today(30), "eta_reason": "Frame rail on order"})
    assert explained.status_code == 200
    assert json.loads(explained.content)["eta_reason"] == "Frame rail on order"
    assert json.loads(explained.content)["eta_changed_at"] is not None


def test_docs_are_swagger_ui_from_local_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    scripts = [line.split('src="', 1)[1].split('"', 1)[0]
               for line in html.splitlines() if "<script src=" in line]
    assert scripts and all(src.startswith("/static/ninja/") for src in scripts)
    assert "http://" not in html and "https://" not in html
    for src in scripts:
        asset = client.get(src)
        assert asset.status_code == 200, src
        assert b"".join(asset.streaming_content if asset.streaming else [asset.content])
    refused = client.post("/api/v1/docs")
    assert refused.status_code == 405 and refused["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("patch", [
    {"rental_days_covered": False}, {"rental_days_covered": "3"}, {"show_deductible": 0},
    {"rental_start": 0}, {"deductible": "1e3"}, {"deductible": "$5"}, {"deductible": "-1"},
    {"carrier": "a\x00b"},
])
def test_values_are_taken_as_the_schema_types_them(api, claim, patch):
    response = api.patch(f"/api/v1/claims/{claim.pk}", patch)
    assert response.status_code == 422, patch
    assert set(response.json()["error"]["fields"]) == set(patch)


def test_whole_number_floats_are_integers_as_in_json_schema(api, claim):
    response = api.patch(f"/api/v1/claims/{claim.pk}", {"rental_days_covered": 12.0})
    assert response.status_code == 200 and response.json()["rental_days_covered"] == 12


@pytest.mark.parametrize("body", ["", "   ", "\u00a0\u2003", "\x01\x02", "\u200b",
                                  "\u200b\u200c\u200d\u2060\ufeff", "\u3164\u115f\u1160"])
def test_blank_text_is_refused_by_the_schema_with_a_sentence(api, claim, body):
    response = api.post(f"/api/v1/claims/{claim.pk}/messages", {"body": body})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["body"] in (
        ["Write some text (not only spaces or invisible characters)."],
        ["String should have at least 1 character"])


def test_a_new_eta_through_the_api_always_names_its_reason(api, claim):
    type(claim).objects.filter(pk=claim.pk).update(eta=None, eta_first_promised=None)
    bare = api.patch(f"/api/v1/claims/{claim.pk}", {"eta": days_from_today(5)})
    assert bare.status_code == 422 and "eta_reason" in bare.json()["error"]["fields"]
    named = api.patch(f"/api/v1/claims/{claim.pk}",
                      {"eta": days_from_today(5), "eta_reason": "Parts arrive Monday"})
    assert named.status_code == 200


def test_an_invisible_eta_reason_is_refused(api, claim):
    response = api.patch(f"/api/v1/claims/{claim.pk}",
                         {"eta": days_from_today(9), "eta_reason": "\u200b"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "eta_reason": ["Write some text (not only spaces or invisible characters)."]}


@pytest.mark.parametrize("patch", [
    {"rental_start": "0001-01-01", "rental_days_covered": 30},
    {"rental_start": "9999-12-31"},
    {"rental_start": days_from_today(-800)},
])
def test_rental_start_far_from_today_is_a_422_on_that_field(api, claim, patch):
    response = api.patch(f"/api/v1/claims/{claim.pk}", patch)
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["rental_start"]
    assert "two years back to one year ahead" in fields["rental_start"][0]


def test_rental_start_in_range_is_accepted(api, claim):
    start = days_from_today(-3)
    response = api.patch(f"/api/v1/claims/{claim.pk}",
                         {"rental_start": start, "rental_days_covered": 30})
    assert response.status_code == 200 and response.json()["rental_start"] == start


def test_an_eta_years_away_is_a_422(api, claim):
    response = api.patch(f"/api/v1/claims/{claim.pk}",
                         {"eta": "9999-12-31", "eta_reason": "Typo"})
    assert response.status_code == 422
    assert "more than two years away" in response.json()["error"]["fields"]["eta"][0]


def test_the_openapi_document_states_the_date_windows(api):
    doc = api.get("/api/v1/openapi.json").json()
    patch = doc["components"]["schemas"]["ClaimPatch"]["properties"]
    assert "two years" in str(patch["eta"]) and "two years" in str(patch["rental_start"])
    assert "one year" in str(patch["rental_start"])
