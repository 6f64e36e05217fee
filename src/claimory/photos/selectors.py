"""Reading photos: the only way a view reaches a photo's file."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from claimory.claims.selectors import claims_for_user
from claimory.photos.models import Photo, Source, State


def photo_get_for_user(user, photo_id: int) -> Photo:
    """The photo if the user works at its claim's location; Http404 otherwise."""
    photo = (Photo.objects.filter(pk=photo_id, claim__in=claims_for_user(user))
             .select_related("claim").first())
    if photo is None:
        raise Http404("No such photo")
    return photo


def photos_for_claim(claim) -> list[Photo]:
    """Every photo and file of the claim for staff, newest first."""
    return list(Photo.objects.filter(claim=claim).order_by("-created_at", "-id"))


def portal_gallery(claim_id: int) -> QuerySet[Photo]:
    """The shop's photos the customer sees, oldest first (the repair's story in order)."""
    return (Photo.objects.filter(claim_id=claim_id, source=Source.BAY, state=State.READY,
                                 internal=False, hidden_at__isnull=True)
            .order_by("published_at", "id"))


def customer_sent(claim_id: int) -> QuerySet[Photo]:
    """What the customer sent us (portal uploads and texted photos), newest first,
    including files still being processed (shown as such)."""
    return (Photo.objects.filter(claim_id=claim_id, source__in=[Source.CUSTOMER, Source.MMS],
                                 hidden_at__isnull=True)
            .exclude(state=State.FAILED).order_by("-created_at", "-id"))


def portal_photo(claim_id: int, photo_id: int) -> Photo | None:
    """A photo the claim's token may open: in the gallery, or something the customer sent."""
    photo = Photo.objects.filter(pk=photo_id, claim_id=claim_id, state=State.READY,
                                 hidden_at__isnull=True).first()
    if photo is None:
        return None
    if photo.source == Source.BAY and photo.internal:
        return None
    return photo


def staff_gallery(claim) -> tuple[list[Photo], list[Photo]]:
    """The claim page's photos, oldest first: the shop's own (bay, API) and what the customer
    sent (portal uploads and texted pictures). Hidden, internal and unprocessed ones included:
    staff see everything, with badges."""
    rows = list(Photo.objects.filter(claim=claim).select_related("uploaded_by")
                .order_by("created_at", "id"))
    shop = [p for p in rows if p.source == Source.BAY]
    customer = [p for p in rows if p.source != Source.BAY]
    return shop, customer
