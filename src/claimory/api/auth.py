"""Who is calling the API (a location's API key) and the one gate to that location's claims."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja.security import HttpBearer

from claimory.api.errors import ApiError
from claimory.claims.models import Claim
from claimory.shops.models import ApiKey, Location
from claimory.shops.permissions import API_KEY, PERMISSIONS, role_can
from claimory.shops.services import apikey_authenticate

# Largest id a 64-bit primary key can hold; bigger numbers would overflow the database driver.
MAX_ID = 2**63 - 1


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer clm_…``: the key acts for exactly one location."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return apikey_authenticate(token.strip())


def key_of(request: HttpRequest) -> ApiKey:
    return request.auth  # type: ignore[attr-defined]


def key_require(request: HttpRequest, perm: str) -> ApiKey:
    """The key, if the permission matrix grants API keys ``perm``; else a 403 JSON error.

    Every route names its permission, so narrowing what keys may do is a matrix change.
    """
    if not role_can(API_KEY, perm):
        raise ApiError(403, "forbidden", f"API keys cannot {PERMISSIONS[perm]}.")
    return key_of(request)


def location_of(request: HttpRequest) -> Location:
    return key_of(request).location


def actor_label(request: HttpRequest) -> str:
    """How API changes are signed in the claim's timeline."""
    return f"API key {key_of(request).prefix}"


def claims_for_key(key: ApiKey):
    return Claim.objects.filter(location_id=key.location_id).select_related(
        "location", "customer", "vehicle", "stage"
    )


def claim_get_for_key(key: ApiKey, claim_id: int) -> Claim:
    """The claim if it belongs to the key's location; Http404 otherwise (never a hint why)."""
    if not 1 <= claim_id <= MAX_ID:
        raise Http404("No such claim.")
    claim = claims_for_key(key).filter(pk=claim_id).first()
    if claim is None:
        raise Http404("No such claim.")
    return claim
