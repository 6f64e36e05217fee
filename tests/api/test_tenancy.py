"""A key reaches only its own location: another shop's key gets 404 for our claims, always."""

from __future__ import annotations

import pytest

from claimory.claims.models import ClaimEvent

CLAIM_ROUTES = [
    ("GET", "/api/v1/claims/{id}", None),
    ("PATCH", "/api/v1/claims/{id}", {"carrier": "Stolen Mutual"}),
    ("PATCH", "/api/v1/claims/{id}", {"eta": "2031-01-01", "eta_reason": "x"}),
    ("POST", "/api/v1/claims/{id}/stage", {"stage": "delivered"}),
    ("GET", "/api/v1/claims/{id}/timeline", None),
    ("GET", "/api/v1/claims/{id}/qr.svg", None),
    ("POST", "/api/v1/claims/{id}/messages", {"body": "hello from a stranger"}),
    ("GET", "/api/v1/claims/{id}/messages", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CLAIM_ROUTES)
def test_other_locations_key_gets_404_for_our_claim(other_api, claim, method, path, body):
    events_before = ClaimEvent.objects.filter(claim=claim).count()
    response = other_api.request(method, path.format(id=claim.pk),
                                 body if body is not None else {})
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "No such claim.",
                                        "fields": {}}
    claim.refresh_from_db()
    assert (claim.stage.slug, claim.carrier) == ("pictures", "State Farm")
    assert ClaimEvent.objects.filter(claim=claim).count() == events_before


@pytest.mark.parametrize(("method", "path", "body"), CLAIM_ROUTES)
def test_our_key_gets_the_same_404_for_their_claim(api, other_claim, method, path, body):
    response = api.request(method, path.format(id=other_claim.pk),
                           body if body is not None else {})
    assert response.status_code == 404


def test_a_foreign_claim_looks_exactly_like_a_missing_one(other_api, claim):
    foreign = other_api.get(f"/api/v1/claims/{claim.pk}")
    missing = other_api.get(f"/api/v1/claims/{claim.pk + 1000}")
    assert foreign.content == missing.content


def test_lists_and_search_never_show_another_locations_claims(other_api, claim, other_claim):
    listed = other_api.get("/api/v1/claims").json()
    assert [c["id"] for c in listed["items"]] == [other_claim.pk]
    assert listed["total"] == 1
    for q in ("Maria", claim.ro_number, claim.vehicle.vin, "5125550142", "State Farm"):
        found = other_api.get("/api/v1/claims", query={"q": q}).json()["items"]
        assert claim.pk not in [c["id"] for c in found], q


def test_a_created_claim_belongs_to_the_keys_location(other_api, other_location):
    response = other_api.post("/api/v1/claims", {"customer": {"name": "Their customer"}})
    assert response.json()["location"] == "elsewhere"
