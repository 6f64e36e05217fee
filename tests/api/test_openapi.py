"""The OpenAPI document: at /api/v1/openapi.json, valid, complete, and no CDN-loading docs UI."""

from __future__ import annotations

from django.test import Client
from openapi_spec_validator import validate

from tests.api.openapi_check import spec


def test_openapi_document_is_valid_and_public(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    validate(response.json())


def test_openapi_lists_every_route_with_bearer_auth(db):
    document = spec()
    assert set(document["paths"]) == {
        "/api/v1/location", "/api/v1/claims", "/api/v1/claims/{claim_id}",
        "/api/v1/claims/{claim_id}/stage", "/api/v1/claims/{claim_id}/timeline",
        "/api/v1/claims/{claim_id}/qr.svg", "/api/v1/claims/{claim_id}/messages",
        "/api/v1/claims/{claim_id}/supplements",
        "/api/v1/claims/{claim_id}/supplements/{number}",
        "/api/v1/claims/{claim_id}/documents", "/api/v1/claims/{claim_id}/documents/{document_id}",
        "/api/v1/claims/{claim_id}/documents/{document_id}/void",
        "/api/v1/claims/{claim_id}/documents/{document_id}/pdf",
        "/api/v1/claims/{claim_id}/photos", "/api/v1/claims/{claim_id}/photos/{photo_id}",
        "/api/v1/estimates", "/api/v1/mail", "/api/v1/claims/{claim_id}/emails",
        "/api/v1/claims/{claim_id}/participants", "/api/v1/appointments",
        "/api/v1/location/calendar", "/api/v1/claims/{claim_id}/survey",
    }
    assert document["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "http", "scheme": "bearer"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"ApiKeyAuth": []}], (method, path)
            assert "401" in operation["responses"], (method, path)


def test_claim_schemas_document_the_contract_fields(db):
    schemas = spec()["components"]["schemas"]
    assert {"customer", "vehicle", "claim_number", "ro_number", "carrier", "deductible",
            "estimate_total", "eta", "stage"} <= set(schemas["ClaimIn"]["properties"])
    assert {"id", "stage", "portal_url", "qr_svg_url", "eta_first_promised"} <= set(
        schemas["ClaimOut"]["required"])
    assert set(schemas["ErrorDetail"]["required"]) == {"code", "message", "fields"}


def test_docs_load_nothing_from_third_parties(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"cdn" not in response.content.lower()
    assert b"https://" not in response.content and b"http://" not in response.content


def test_stage_slugs_are_a_pattern_publicly_and_an_enum_for_a_key(api_key, location):
    from claimory.shops.services import stage_add

    stage_add(location=location, name="Detail bay")
    public = Client().get("/api/v1/openapi.json").json()
    mine = Client().get("/api/v1/openapi.json",
                        headers={"Authorization": f"Bearer {api_key}"}).json()
    public_stage = public["components"]["schemas"]["StageIn"]["properties"]["stage"]
    my_stage = mine["components"]["schemas"]["StageIn"]["properties"]["stage"]
    assert "pattern" in public_stage and "enum" not in public_stage
    assert my_stage["enum"] == ["pictures", "estimate", "teardown", "supp_sent", "supp_appr",
                                "started", "completed", "delivered", "detail_bay"]
    assert mine["components"]["schemas"]["ClaimIn"]["properties"]["stage"]["enum"][0] == ""
    query = [p for p in mine["paths"]["/api/v1/claims"]["get"]["parameters"]
             if p["name"] == "stage"][0]
    assert any(b.get("enum") == my_stage["enum"] for b in query["schema"]["anyOf"])
    validate(mine)


def test_new_claims_link_to_what_can_be_done_next(db):
    document = spec()
    links = document["paths"]["/api/v1/claims"]["post"]["responses"]["201"]["links"]
    operations = {op["operationId"] for path in document["paths"].values()
                  for op in path.values()}
    assert {link["operationId"] for link in links.values()} <= operations
    assert len(links) == 7
    assert all(link["parameters"] == {"claim_id": "$response.body#/id"}
               for link in links.values())


def test_exact_rules_are_in_the_schema(db):
    schemas = spec()["components"]["schemas"]
    assert schemas["CustomerIn"]["properties"]["name"]["minLength"] == 1
    assert schemas["MessageIn"]["properties"]["body"]["minLength"] == 1
    assert schemas["VehicleIn"]["properties"]["vin"]["format"] == "vin"
    assert schemas["CustomerIn"]["properties"]["phone"]["format"] == "phone"
    assert "from today to two years" in schemas["ClaimIn"]["properties"]["eta"]["description"]
    assert schemas["ClaimPatch"]["dependentRequired"] == {"eta": ["eta_reason"],
                                                          "eta_reason": ["eta"]}
    assert "America/Chicago" in schemas["LocationPatch"]["properties"]["timezone"]["enum"]
