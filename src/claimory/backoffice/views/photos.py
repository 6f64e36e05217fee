"""Photo files for staff: reached only through the claim's gate, never by a storage path."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from claimory.backoffice.access import staff_view
from claimory.photos.selectors import photo_get_for_user
from claimory.photos.serving import photo_variant_response


@staff_view
@require_GET
def photo_file(request: HttpRequest, photo_id: int) -> HttpResponse:
    return photo_variant_response(photo_get_for_user(request.user, photo_id), "full.jpg")


@staff_view
@require_GET
def photo_thumb(request: HttpRequest, photo_id: int) -> HttpResponse:
    return photo_variant_response(photo_get_for_user(request.user, photo_id), "thumb.jpg")
