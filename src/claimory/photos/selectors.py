"""Reading photos: the only way a view reaches a photo's file."""

from __future__ import annotations

from django.http import Http404

from claimory.claims.selectors import claims_for_user
from claimory.photos.models import Photo


def photo_get_for_user(user, photo_id: int) -> Photo:
    """The photo if the user works at its claim's location; Http404 otherwise."""
    photo = (Photo.objects.filter(pk=photo_id, claim__in=claims_for_user(user))
             .select_related("claim").first())
    if photo is None:
        raise Http404("No such photo")
    return photo


def photos_for_claim(claim) -> list[Photo]:
    return list(Photo.objects.filter(claim=claim).order_by("-created_at", "-id"))
