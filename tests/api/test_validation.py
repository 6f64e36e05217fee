"""Bad input gets a 4xx JSON error naming the field, never a 500 — including a little fuzzing."""

from __future__ import annotations

import copy
import json
import random

import pytest

from claimory.claims.models import Claim
from tests.api.conftest import claim_body, days_from_today


def _error(response, status: int = 422) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    return error


@pytest.mark.parametrize(("override", "path"), [
    ({"vehicle": {"vin": "1HGCM82633A004353"}}, "vehicle.vin"),   # check digit off by one
    ({"vehicle": {"vin": "1HGCM8263"}}, "vehicle.vin"),
    ({"vehicle": {"vin": "1HGCM82633AOO4352"}}, "vehicle.vin"),   # letter O
    ({"customer": {"name": "Ana", "phone": "555-01"}}, "customer.phone"),
    ({"customer": {"name": "Ana", "email": "ana@"}}, "customer.email"),
    ({"customer": {"name": "  "}}, "customer.name"),
    ({"customer": {"name": "Ana", "sms_opt_in": True}}, "customer.sms_opt_in"),
    ({"customer": {"name": "Ana", "language": "fr"}}, "customer.language"),
    ({"eta": days_from_today(-3)}, "eta"),
    ({"eta": "next tuesday"}, "eta"),
    ({"stage": "paint"}, "stage"),
    ({"vehicle": {"year": 1890}}, "vehicle.year"),
    ({"deductible": "lots"}, "deductible"),
    ({"deductible": -5}, "deductible"),
    ({"estimate_total": "NaN"}, "estimate_total"),
    ({"estimate_total": "1e12"}, "estimate_total"),
    ({"rental_days_covered": -1}, "rental_days_covered"),
    ({"claim_number": "x" * 41}, "claim_number"),
    ({"carrier": "State\x00Farm"}, "carrier"),
])
def test_invalid_claim_fields_are_422_naming_the_field(api, override, path):
    error = _error(api.post("/api/v1/claims", claim_body(**override)))
    assert error["code"] in ("validation_error", "unknown_stage")
    assert path in error["fields"], error
    assert not Claim.objects.exists()


def test_unknown_stage_on_create_lists_valid_slugs(api):
    error = _error(api.post("/api/v1/claims", claim_body(stage="paint")))
    assert "supp_appr" in error["fields"]["stage"][0]


@pytest.mark.parametrize(("override", "path"), [
    ({"customer": {"name": 42}}, "customer.name"),
    ({"customer": "Ana"}, "customer"),
    ({"vehicle": {"year": "twenty"}}, "vehicle.year"),
    ({"vehicle": []}, "vehicle"),
    ({"customer": {"name": "Ana", "sms_opt_in": "maybe"}}, "customer.sms_opt_in"),
    ({"eta": 20250101}, "eta"),
    ({"ro_number": ["RO-1"]}, "ro_number"),
    ({"surprise": True}, "surprise"),
])
def test_wrong_types_and_unknown_keys_are_422(api, override, path):
    assert path in _error(api.post("/api/v1/claims", claim_body(**override)))["fields"]


def test_missing_customer_is_422(api):
    assert "customer" in _error(api.post("/api/v1/claims", {"vehicle": {}}))["fields"]


@pytest.mark.parametrize("raw", [b"{", b"{'customer': 1}", b"\xff\xfe\x00", b"nul\x00l",
                                 b'{"customer": {"name": "A"}} trailing'])
def test_malformed_json_is_400(api, claim, raw):
    for method, path in (("POST", "/api/v1/claims"), ("PATCH", f"/api/v1/claims/{claim.pk}"),
                         ("POST", f"/api/v1/claims/{claim.pk}/stage"),
                         ("PATCH", "/api/v1/location")):
        error = _error(api.request(method, path, raw=raw), 400)
        assert error["code"] == "malformed_json"


@pytest.mark.parametrize("body", [[], "claim", 7, None, [{"customer": {"name": "A"}}]])
def test_json_that_is_not_an_object_is_422(api, body):
    error = _error(api.post("/api/v1/claims", body))
    assert error["message"] == "Send a JSON object as the request body."


def test_an_empty_body_is_422(api):
    assert _error(api.post("/api/v1/claims"))["fields"] == {
        "__all__": ["Send a JSON object as the request body."]}


@pytest.mark.parametrize("claim_id", ["0", "-1", "99999999999999999999999999", "abc", "1.5",
                                      "9223372036854775808"])
def test_odd_claim_ids_are_4xx_json(api, claim_id):
    response = api.get(f"/api/v1/claims/{claim_id}")
    assert response.status_code in (404, 422)
    _error(response, response.status_code)


def test_unknown_endpoints_and_methods_answer_json(api, claim):
    assert _error(api.get("/api/v1/nothing-here"), 404)["code"] == "not_found"
    error = _error(api.request("DELETE", f"/api/v1/claims/{claim.pk}"), 405)
    assert error["code"] == "method_not_allowed"
    assert _error(api.request("PUT", "/api/v1/location"), 405)
    slash = _error(api.get("/api/v1/claims/"), 404)
    assert slash["message"].endswith("Drop the trailing slash: /api/v1/claims")


def test_api_root_points_at_the_openapi_document(anon):
    response = anon.get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["openapi"] == "/api/v1/openapi.json"


ODD_VALUES = [None, 0, -1, 10**30, 1.5, float("1e308"), "", " ", "x" * 5000, "\x00", "💥" * 50,
              "<script>alert(1)</script>", "2020-02-30", "NaN", "-Infinity", [], {}, [1, 2],
              {"a": {"b": None}}, True, "9999999999.99", "1,250.00"]


def _mutate(rng: random.Random, body: dict) -> dict:
    """Replace one or two fields (top-level or nested) with something odd."""
    body = json.loads(json.dumps(body))
    for _ in range(rng.randint(1, 2)):
        target = body
        key = rng.choice(list(target))
        if isinstance(target[key], dict) and rng.random() < 0.7:
            target = target[key]
            key = rng.choice(list(target) or ["name"])
        target[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    return body


def test_fuzzed_bodies_never_cause_a_500(api, claim):
    rng = random.Random(20250602)  # fixed seed: failures reproduce
    patch_claim = {"carrier": "X", "deductible": "1", "eta": days_from_today(9),
                   "eta_reason": "r", "show_deductible": True, "rental_start": days_from_today(0),
                   "rental_days_covered": 3, "internal_notes": "n"}
    patch_location = {"name": "N", "phone": "5125550100", "address": {"line1": "1 Main"},
                      "hours": {"mon": {"open": "08:00", "close": "17:00"}}, "tagline": "t",
                      "portal_expiry_days": 10, "timezone": "America/Denver"}
    cases = [("POST", "/api/v1/claims", claim_body()),
             ("PATCH", f"/api/v1/claims/{claim.pk}", patch_claim),
             ("POST", f"/api/v1/claims/{claim.pk}/stage", {"stage": "estimate"}),
             ("PATCH", "/api/v1/location", patch_location)]
    for _ in range(60):
        for method, path, body in cases:
            mutated = _mutate(rng, body)
            response = api.request(method, path, mutated)
            assert response.status_code in (200, 201, 400, 422), (method, mutated,
                                                                   response.content)
            if response.status_code >= 400:
                _error(response, response.status_code)
    for query in ({"q": "\x00"}, {"q": "%"}, {"q": "_"}, {"q": "'; drop table"},
                  {"stage": "\x00"}, {"limit": "1e3"}, {"offset": "99999999999999999999"},
                  {"q": "5" * 100}):
        assert api.get("/api/v1/claims", query=query).status_code in (200, 422), query
