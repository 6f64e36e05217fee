"""Read-side queries for workspaces and locations, always scoped to a staff user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from claimory.shops.models import Location, Membership

_CACHE_ATTR = "_claimory_membership"


def membership_for_user(user) -> Membership | None:
    """The user's membership (one workspace per staff user in this version).

    Cached on the user object, which lives for one request, so every scoped read of a
    page shares one lookup.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, _CACHE_ATTR):
        setattr(user, _CACHE_ATTR, Membership.objects.select_related("workspace")
                .filter(user=user).order_by("created_at").first())
    return getattr(user, _CACHE_ATTR)


def locations_for_user(user) -> QuerySet[Location]:
    membership = membership_for_user(user)
    if membership is None:
        return Location.objects.none()
    if membership.sees_all_locations:
        return Location.objects.filter(workspace=membership.workspace)
    return membership.locations.filter(workspace=membership.workspace)


def location_get_for_user(user, slug: str) -> Location:
    location = locations_for_user(user).filter(slug=slug).first()
    if location is None:
        raise Http404("No such location")
    return location
