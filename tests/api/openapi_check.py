"""Validate real API responses against the schemas the OpenAPI document publishes."""

from __future__ import annotations

import json
import re
from functools import cache
from urllib.parse import quote

from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:claimory:openapi"


@cache
def spec() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


@cache
def _registry() -> Registry:
    resource = Resource.from_contents(spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def _template_for(path: str) -> str | None:
    for template in spec()["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template
    return None


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def check(method: str, path: str, response) -> None:
    """Fail unless the response's status is documented and its JSON body fits the schema."""
    template = _template_for(path.split("?")[0])
    if template is None:
        return  # not an operation (e.g. the JSON 404 for unknown URLs)
    operation = spec()["paths"][template].get(method.lower())
    if operation is None:
        return  # 405: the method is not an operation
    status = str(response.status_code)
    assert status in operation["responses"], \
        f"{method} {template} answered {status}, not documented in OpenAPI"
    content = operation["responses"][status].get("content", {})
    if "application/json" not in content:
        return
    assert response["Content-Type"].startswith("application/json")
    pointer = _pointer("paths", template, method.lower(), "responses", status, "content",
                       "application/json", "schema")
    ref = {"$ref": f"{SPEC_URI}#{quote(pointer, safe='/~')}"}
    validator = Draft202012Validator(ref, registry=_registry())
    errors = sorted(validator.iter_errors(json.loads(response.content)), key=str)
    assert not errors, f"{method} {path} -> {status} does not match OpenAPI: {errors[0]}"
