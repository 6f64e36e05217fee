"""Changing a location's public-page address (/p/<slug>) without breaking what is already
printed or shared: the old slug becomes an alias that redirects, and stays reserved."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claimory.shops.models import Location, SlugAlias, slug_validator
from claimory.shops.permissions import authorize

# Paths under /p/ that a slug must not shadow, and words that would confuse customers.
RESERVED = frozenset({"admin", "api", "staff", "static", "media", "track", "calendar", "c", "p"})


def slug_taken(slug: str, location: Location | None = None) -> bool:
    """Another location has it now, or had it (its alias still redirects there); with no
    ``location`` (a shop signing up), any location."""
    locations = Location.objects.filter(slug=slug)
    aliases = SlugAlias.objects.filter(slug=slug)
    if location is not None:
        locations, aliases = locations.exclude(pk=location.pk), aliases.exclude(location=location)
    return locations.exists() or aliases.exists()


def _slug_clean(slug: str) -> str:
    """The address normalized, well-formed and not reserved, or ValidationError({"slug"})."""
    slug = (slug or "").strip().lower()
    try:
        slug_validator(slug)
    except ValidationError as exc:
        raise ValidationError({"slug": exc.messages}) from None
    if slug in RESERVED:
        raise ValidationError({"slug": ["That address is reserved. Pick another."]})
    return slug


def slug_check_new(slug: str) -> str:
    """A new shop's address, normalized, or ValidationError({"slug": [reason]})."""
    slug = _slug_clean(slug)
    if slug_taken(slug):
        raise ValidationError({"slug": ["Another shop uses that address. Pick another."]})
    return slug


def slug_suggest(name: str) -> str:
    """An address made from the shop's name ("Joe's Body & Paint" → joes-body-paint)."""
    import re

    from django.utils.text import slugify

    slug = re.sub(r"[^a-z0-9]+", "-", slugify(name.replace("'", "").replace("’", "")))
    return slug.strip("-")[:50].rstrip("-")


@transaction.atomic
def location_slug_change(*, location: Location, slug: str, actor: Any = None) -> Location:
    authorize(actor, "settings.location", location)
    slug = _slug_clean(slug)
    if slug == location.slug:
        return location
    if slug_taken(slug, location):
        raise ValidationError({"slug": ["Another shop uses that address. Pick another."]})
    old = location.slug
    # Taking back an address this shop used before: it is no longer an alias.
    SlugAlias.objects.filter(slug=slug, location=location).delete()
    try:
        with transaction.atomic():
            SlugAlias.objects.create(slug=old, location=location)
            location.slug = slug
            location.save(update_fields=["slug", "updated_at"])
    except IntegrityError:  # taken a moment ago by another shop
        location.slug = old
        raise ValidationError({"slug": ["Another shop uses that address. Pick another."]}
                              ) from None
    return location


def location_for_old_slug(slug: str) -> Location | None:
    alias = SlugAlias.objects.select_related("location").filter(slug=slug).first()
    return alias.location if alias else None
