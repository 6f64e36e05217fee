"""Photo files for staff: reached only through the claim's gate, never by a storage path."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from claimory.backoffice.access import staff_view
from claimory.backoffice.views.unmatched import file_response
from claimory.photos.selectors import photo_get_for_user


@staff_view
@require_GET
def photo_file(request: HttpRequest, photo_id: int) -> HttpResponse:
    return file_response(photo_get_for_user(request.user, photo_id).file.name)


@staff_view
@require_GET
def photo_thumb(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = photo_get_for_user(request.user, photo_id)
    return file_response(photo.thumbnail.name or photo.file.name)
