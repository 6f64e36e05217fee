"""`/api/v1/claims/<id>/photos`: add a photo of the car (multipart), list and read them.

The file goes through the same checks and background processing as the technician's page
(photos/services.py): its type is decided by its bytes, the worker strips the metadata and
makes the variants, and the customer sees it once it is ready unless it is internal.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, UploadedFile
from ninja.decorators import decorate_view
from ninja.responses import Status

from claimory.api.auth import MAX_ID, actor_label, claim_get_for_key, key_of, key_require
from claimory.api.errors import ApiError
from claimory.api.idempotency import idempotent
from claimory.api.routes_claims import IDEMPOTENCY_PARAMETER, _unknown_stage
from claimory.api.schemas import ErrorOut, PhotoOut
from claimory.claims.models import Channel
from claimory.photos.models import Photo, Source
from claimory.photos.services import photo_receive
from claimory.photos.uploads import UploadRefused
from claimory.shops.models import Stage

router = Router(tags=["photos"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# The multipart form's fields, as the OpenAPI document describes them.
FILE = File(..., description="JPEG, PNG, HEIC or WebP, at most 25 MB")
STAGE = Form("", max_length=40, description="Stage slug the photo shows; the claim's current "
                                            "stage if left out or empty.")
INTERNAL = Form(False, description="Staff only: never on the customer's page.")
CAPTION = Form("", max_length=300, description="Shown with the photo.")


def photo_out(photo: Photo) -> dict[str, Any]:
    return {"id": photo.pk, "state": photo.state, "kind": photo.kind, "source": photo.source,
            "stage": photo.stage, "internal": photo.internal,
            "hidden": photo.hidden_at is not None, "caption": photo.caption,
            "content_type": photo.content_type, "width": photo.width,
            "height": photo.height, "created_at": photo.created_at,
            "published_at": photo.published_at}


def _refused(exc: UploadRefused) -> ApiError:
    """A refused file as 413 (too large), 415 (not an image) or 400 (empty, broken)."""
    message = str(exc)
    if "megapixels" in message:  # a decompression bomb, or simply far too many pixels
        return ApiError(413, "image_too_large", message, {"file": [message]})
    if "too large" in message:
        return ApiError(413, "file_too_large", message, {"file": [message]})
    if "not a photo" in message or "Please send a photo" in message:
        return ApiError(415, "unsupported_file", message, {"file": [message]})
    return ApiError(400, "bad_file", message, {"file": [message]})


@router.post("/claims/{claim_id}/photos",
             response={201: PhotoOut, **ERRORS, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut},
             operation_id="photo_create", summary="Add a photo of the car (multipart)",
             openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]})
@decorate_view(idempotent)
def photo_create_route(request: HttpRequest, response: HttpResponse, claim_id: int,
                       file: UploadedFile = FILE, stage: str = STAGE,
                       internal: bool = INTERNAL, caption: str = CAPTION):
    key_require(request, "photos.add")
    claim = claim_get_for_key(key_of(request), claim_id)
    if stage and not Stage.objects.filter(location_id=claim.location_id, slug=stage).exists():
        raise _unknown_stage(claim.location, stage)
    # Control characters (NUL above all: PostgreSQL refuses it) have no place in a caption.
    caption = "".join(ch for ch in caption if unicodedata.category(ch) != "Cc")
    try:
        photo = photo_receive(claim=claim, upload=file, source=Source.BAY, stage=stage or None,
                              caption=caption, internal=internal, channel=Channel.API,
                              actor_label=actor_label(request))
    except UploadRefused as exc:
        raise _refused(exc) from exc
    photo.refresh_from_db()  # the worker may already have processed it
    response["Location"] = reverse("api:photo_get",
                                   kwargs={"claim_id": claim.pk, "photo_id": photo.pk})
    return Status(201, photo_out(photo))


@router.get("/claims/{claim_id}/photos", response={200: list[PhotoOut], **ERRORS},
            operation_id="photo_list",
            summary="The claim's photos and the customer's files, oldest first")
def photo_list_route(request: HttpRequest, claim_id: int):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    return [photo_out(p) for p in Photo.objects.filter(claim=claim).order_by("created_at", "id")]


@router.get("/claims/{claim_id}/photos/{photo_id}", response={200: PhotoOut, **ERRORS},
            operation_id="photo_get", url_name="photo_get",
            summary="One photo: its state, stage and visibility")
def photo_get_route(request: HttpRequest, claim_id: int, photo_id: int):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    photo = (Photo.objects.filter(claim=claim, pk=photo_id).first()
             if 1 <= photo_id <= MAX_ID else None)
    if photo is None:
        raise Http404("No such photo.")
    return photo_out(photo)
