"""Read-side queries of the public, unauthenticated pages (shop page and brand stylesheet)."""

from __future__ import annotations

from claimory.shops.models import Location


def location_get_public(slug: str) -> Location | None:
    """The shop whose public page lives at /p/<slug>, or None."""
    return Location.objects.select_related("workspace").filter(slug=slug).first()
