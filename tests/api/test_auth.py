"""API keys: who gets in, who gets a 401, and that a key acts for one location only."""

from __future__ import annotations

from django.test import Client

from claimory.shops.models import ApiKey
from claimory.shops.services import apikey_revoke
from tests.api.conftest import ApiClient


def test_missing_key_is_401_json_with_bearer_challenge(anon):
    response = anon.get("/api/v1/location")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = response.json()["error"]
    assert error["code"] == "unauthorized"
    assert "Authorization: Bearer" in error["message"]


def test_unknown_key_is_401(location):
    response = ApiClient("clm_thisKeyWasNeverIssued0000000000000000000").get("/api/v1/claims")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The API key is unknown or revoked."


def test_revoked_key_is_401(api, api_key, location):
    assert api.get("/api/v1/location").status_code == 200
    apikey_revoke(key=ApiKey.objects.get(location=location))
    assert api.get("/api/v1/location").status_code == 401


def test_other_auth_schemes_and_garbage_headers_are_401(api_key, location):
    for header in (f"Token {api_key}", f"Basic {api_key}", "Bearer", "Bearer ", api_key,
                   "Bearer " + "x" * 5000, f"Bearer {api_key}\u00e9"):
        response = ApiClient(None).get("/api/v1/location", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_every_route_needs_the_key(anon, claim):
    for method, path in [("GET", "/api/v1/location"), ("PATCH", "/api/v1/location"),
                         ("GET", "/api/v1/claims"), ("POST", "/api/v1/claims"),
                         ("GET", f"/api/v1/claims/{claim.pk}"),
                         ("PATCH", f"/api/v1/claims/{claim.pk}"),
                         ("POST", f"/api/v1/claims/{claim.pk}/stage"),
                         ("GET", f"/api/v1/claims/{claim.pk}/timeline"),
                         ("GET", f"/api/v1/claims/{claim.pk}/qr.svg")]:
        assert anon.request(method, path, {}).status_code == 401, (method, path)


def test_staff_session_is_not_an_api_credential(anon, owner):
    anon.client.force_login(owner)
    assert anon.get("/api/v1/location").status_code == 401


def test_bearer_requests_need_no_csrf_token(api_key, location):
    client = Client(enforce_csrf_checks=True)
    response = client.patch("/api/v1/location", {"tagline": "We fix it right"},
                            content_type="application/json",
                            headers={"Authorization": f"Bearer {api_key}"})
    assert response.status_code == 200


def test_using_a_key_records_when_it_was_last_used(api, location):
    assert ApiKey.objects.get(location=location).last_used_at is None
    api.get("/api/v1/location")
    assert ApiKey.objects.get(location=location).last_used_at is not None


def test_answers_are_not_cacheable(api, anon):
    assert api.get("/api/v1/location")["Cache-Control"] == "no-store"
    assert anon.get("/api/v1/location")["Cache-Control"] == "no-store"
