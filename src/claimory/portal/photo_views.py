"""The claim's photos and files for the customer, by token: the gallery's images and what the
customer sent. Revoking or rotating the link revokes these URLs with it (they hold the token)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from claimory.photos.selectors import portal_photo
from claimory.photos.serving import photo_variant_response
from claimory.portal.views import gate, not_found

# The URL holds the token, so a browser may keep the image a day; a revoked token's URLs
# simply stop answering.
PORTAL_IMAGE_SECONDS = 86400


@require_safe
def photo_file(request: HttpRequest, token: str, photo_id: int, variant: str) -> HttpResponse:
    claim = gate(request, token)
    if isinstance(claim, HttpResponse):
        return claim
    photo = portal_photo(claim.pk, photo_id)
    if photo is None:
        return not_found(request, count=False)
    return photo_variant_response(photo, variant, private_seconds=PORTAL_IMAGE_SECONDS)
