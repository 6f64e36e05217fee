"""API personas: a key for our location, a key for another shop's, and a JSON client that
checks every answer against the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from claimory.shops.services import apikey_create
from tests.api.openapi_check import check

NOT_SENT = object()


class ApiClient:
    """A test client that speaks JSON, sends a bearer key and validates each answer."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        self.client = Client()

    def request(self, method: str, path: str, body: Any = NOT_SENT, *, raw: bytes | None = None,
                headers: dict[str, str] | None = None, query: dict | None = None):
        extra = dict(headers or {})
        if self.key is not None:
            extra.setdefault("Authorization", f"Bearer {self.key}")
        data = raw if raw is not None else (b"" if body is NOT_SENT else json.dumps(body))
        response = self.client.generic(method, path, data, content_type="application/json",
                                       headers=extra, QUERY_STRING=_query(query))
        check(method, path, response)
        return response

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = NOT_SENT, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path: str, body: Any = NOT_SENT, **kw):
        return self.request("PATCH", path, body, **kw)


def _query(query: dict | None) -> str:
    return urlencode(query or {})


@pytest.fixture
def api_key(location) -> str:
    return apikey_create(location=location, name="Tests")[1]


@pytest.fixture
def other_key(other_location) -> str:
    return apikey_create(location=other_location, name="Elsewhere")[1]


@pytest.fixture
def api(api_key) -> ApiClient:
    return ApiClient(api_key)


@pytest.fixture
def other_api(other_key) -> ApiClient:
    return ApiClient(other_key)


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient(None)


def days_from_today(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def claim_body(**overrides: Any) -> dict:
    """A valid POST /claims body; override any top-level key."""
    body = {
        "customer": {"name": "Ana Ruiz", "phone": "(512) 555-0177", "email": "ana@example.test",
                     "language": "es", "sms_opt_in": True, "email_opt_in": False},
        "vehicle": {"year": 2021, "make": "Toyota", "model": "Camry",
                    "vin": "2T1BURHE5JC074359", "color": "Blue", "plate": "ana123"},
        "claim_number": "SF-0042-77",
        "ro_number": "RO-9001",
        "carrier": "State Farm",
        "deductible": "500",
        "estimate_total": 4250.75,
        "eta": days_from_today(10),
    }
    body.update(overrides)
    return body
