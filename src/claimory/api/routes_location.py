"""`/api/v1/location`: read and change the settings of the location the API key acts for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from claimory.api.auth import key_require, location_of
from claimory.api.errors import FIELD_ALIASES
from claimory.api.present import location_out
from claimory.api.schemas import ErrorOut, LocationOut, LocationPatch
from claimory.shops.services import location_update

router = Router(tags=["location"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 422: ErrorOut}
# API field (or address part) -> Location column; the inverse of errors.FIELD_ALIASES.
COLUMNS = {alias.removeprefix("address."): column for column, alias in FIELD_ALIASES.items()}


def _changes(location, payload: LocationPatch) -> dict[str, Any]:
    """Flatten the PATCH body into location_update's column names."""
    sent = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    for name, value in sent.items():
        if name == "address":
            for part, text in value.items():
                changes[COLUMNS[part]] = text
        elif name == "quiet_hours":
            changes["sms_quiet_start"], changes["sms_quiet_end"] = value["start"], value["end"]
        elif name in ("hours", "pickup_hours"):
            column = COLUMNS.get(name, name)
            # Days left out keep their current hours; PATCH changes only what it names.
            current = getattr(location, column)
            changes[column] = {**(current if isinstance(current, dict) else {}), **value}
        else:
            changes[name] = value
    return changes


@router.get("/location", response={200: LocationOut, **ERRORS}, summary="The key's location")
def location_get(request: HttpRequest):
    key_require(request, "claim.view")
    return location_out(location_of(request))


@router.patch("/location", response={200: LocationOut, **ERRORS, 413: ErrorOut},
              summary="Change the key's location settings")
def location_patch(request: HttpRequest, payload: LocationPatch):
    key_require(request, "settings.location")
    location = location_of(request)
    location_update(location=location, changes=_changes(location, payload))
    return location_out(location)
