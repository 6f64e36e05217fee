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


def test_no_swagger_ui_loading_third_party_scripts(db):
    response = Client().get("/api/v1/docs")
    assert b"cdn" not in response.content.lower()
    assert b"<script" not in response.content.lower()
