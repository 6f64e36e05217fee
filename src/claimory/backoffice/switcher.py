"""The location a teammate is working at, for groups with several shops.

Picked once in the top bar and remembered in the session, it becomes the default of every
page that shows one location or filters by one (board, claims list, new claim, settings,
reports). Only locations the teammate may see can be picked: owners and managers every
location of the workspace, others only their own. "All locations" is no pick at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest

from claimory.shops.models import Location

SESSION_KEY = "claimory.location"


def working_location(request: HttpRequest, locations: Sequence[Location]) -> Location | None:
    """The remembered location, if the teammate may still see it; None for all."""
    slug = request.session.get(SESSION_KEY, "") if hasattr(request, "session") else ""
    return next((loc for loc in locations if loc.slug == slug), None) if slug else None


def working_location_set(request: HttpRequest, location: Location | None) -> None:
    request.session[SESSION_KEY] = location.slug if location else ""
