"""`/api/v1/claims…`: open, read, search, move and edit the key's location's claims."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from claimory.api.auth import (
    actor_label,
    claim_get_for_key,
    claims_for_key,
    key_of,
    key_require,
    location_of,
)
from claimory.api.errors import ApiError
from claimory.api.idempotency import HEADER, KEY_PATTERN, idempotent
from claimory.api.present import claim_out, event_out
from claimory.api.schemas import (
    ClaimFilters,
    ClaimIn,
    ClaimOut,
    ClaimPage,
    ClaimPatch,
    ErrorOut,
    EventOut,
    StageIn,
)
from claimory.claims.models import Channel
from claimory.claims.selectors import claim_search, claim_timeline
from claimory.claims.services import (
    ClaimInput,
    CustomerInput,
    VehicleInput,
    claim_create,
    claim_eta_set,
    claim_stage_set,
    claim_update,
)
from claimory.printables.qr import portal_url, qr_svg
from claimory.shops.models import Stage
from claimory.shops.permissions import MONEY_FIELDS

router = Router(tags=["claims"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 413: ErrorOut}
# OpenAPI links: what a client (or a stateful tester) can do next with a new claim's id.
CLAIM_LINKS = {
    name: {"operationId": operation, "parameters": {"claim_id": "$response.body#/id"}}
    for name, operation in (
        ("GetClaim", "claim_get"), ("PatchClaim", "claim_patch"),
        ("MoveStage", "claim_stage_set"), ("Timeline", "claim_timeline"),
        ("QrCode", "claim_qr_svg"), ("SendMessage", "message_create"),
        ("Messages", "message_list"),
    )
}
ETA_FIELDS = ("eta", "eta_reason")
IDEMPOTENCY_PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "pattern": KEY_PATTERN, "maxLength": 255},
    "description": "Any unique string (a UUID). A retry with the same key within 24 hours "
                   "gets the first answer (same status and body) and opens no second claim; "
                   "the same key with a different body, or a retry while the first request "
                   "still runs, is a 409. Only successful answers are remembered.",
}


def _unknown_stage(location, slug: str) -> ApiError:
    slugs = list(Stage.objects.filter(location=location).order_by("position", "id")
                 .values_list("slug", flat=True))
    message = f"Unknown stage “{slug}”. Use one of: {', '.join(slugs)}."
    return ApiError(422, "unknown_stage", message, {"stage": [message]})


@router.post("/claims", response={201: ClaimOut, **WRITE_ERRORS, 402: ErrorOut, 409: ErrorOut},
             summary="Open a claim", operation_id="claim_create",
             openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER],
                            "responses": {201: {"links": CLAIM_LINKS}}})
@decorate_view(idempotent)
def claim_create_route(request: HttpRequest, response: HttpResponse, payload: ClaimIn):
    key_require(request, "claim.create")
    body = payload.model_dump(exclude={"customer", "vehicle"})
    data = ClaimInput(customer=CustomerInput(**payload.customer.model_dump()),
                      vehicle=VehicleInput(**payload.vehicle.model_dump()), **body)
    claim = claim_create(location=location_of(request), data=data, channel=Channel.API,
                         actor_label=actor_label(request))
    response["Location"] = reverse("api:claim_get", kwargs={"claim_id": claim.pk})
    return Status(201, claim_out(claim_get_for_key(key_of(request), claim.pk)))


@router.get("/claims", response={200: ClaimPage, **ERRORS}, summary="List and search claims")
def claim_list(request: HttpRequest, filters: Query[ClaimFilters]):
    key_require(request, "claim.view")
    claims = claims_for_key(key_of(request))
    if filters.stage:
        location = location_of(request)
        if not Stage.objects.filter(location=location, slug=filters.stage).exists():
            raise _unknown_stage(location, filters.stage)
        claims = claims.filter(stage__slug=filters.stage)
    claims = claim_search(claims, filters.q or "").order_by("-created_at", "-id")
    page = claims[filters.offset:filters.offset + filters.limit]
    return {"items": [claim_out(c) for c in page], "total": claims.count(),
            "limit": filters.limit, "offset": filters.offset}


@router.get("/claims/{claim_id}", response={200: ClaimOut, **ERRORS}, summary="One claim",
            operation_id="claim_get")
def claim_get(request: HttpRequest, claim_id: int):
    key_require(request, "claim.view")
    return claim_out(claim_get_for_key(key_of(request), claim_id))


@router.patch("/claims/{claim_id}", response={200: ClaimOut, **WRITE_ERRORS},
              operation_id="claim_patch",
              summary="Change claim fields and the ETA")
def claim_patch(request: HttpRequest, claim_id: int, payload: ClaimPatch):
    claim = claim_get_for_key(key_of(request), claim_id)
    key_require(request, "claim.edit")
    changes = payload.model_dump(exclude_unset=True)
    if any(name in changes for name in MONEY_FIELDS):
        key_require(request, "claim.money_edit")
    eta = {name: changes.pop(name) for name in ETA_FIELDS if name in changes}
    if "eta_reason" in eta and "eta" not in eta:
        raise ApiError(422, "validation_error", "eta_reason: send it together with eta.",
                       {"eta_reason": ["Send the reason together with the new eta."]})
    if "eta" in eta and "eta_reason" not in eta:
        # The customer reads why the date is what it is (or why it is gone); the API always
        # asks for it.
        raise ApiError(422, "validation_error", "eta_reason: send a reason with the new eta.",
                       {"eta_reason": ["Send the reason the customer reads with the new eta."]})
    # Both services or neither: a rejected ETA must not leave the other fields changed.
    with transaction.atomic():
        if changes:
            claim_update(claim=claim, changes=changes, channel=Channel.API,
                         actor_label=actor_label(request))
        if eta:
            claim_eta_set(claim=claim, eta=eta["eta"], reason=eta.get("eta_reason", ""),
                          channel=Channel.API, actor_label=actor_label(request))
    return claim_out(claim_get_for_key(key_of(request), claim_id))


@router.post("/claims/{claim_id}/stage", response={200: ClaimOut, **WRITE_ERRORS},
             operation_id="claim_stage_set",
             summary="Move the car to another stage")
def claim_stage_route(request: HttpRequest, claim_id: int, payload: StageIn):
    key_require(request, "claim.stage_move")
    claim = claim_get_for_key(key_of(request), claim_id)
    stage = Stage.objects.filter(location_id=claim.location_id, slug=payload.stage).first()
    if stage is None:
        raise _unknown_stage(claim.location, payload.stage)
    claim_stage_set(claim=claim, stage=stage, channel=Channel.API,
                    actor_label=actor_label(request))
    return claim_out(claim)


@router.get("/claims/{claim_id}/timeline", response={200: list[EventOut], **ERRORS},
            operation_id="claim_timeline",
            summary="Every event of the claim, oldest first")
def claim_timeline_route(
    request: HttpRequest, claim_id: int,
    after: int = Query(0, description="Only events after this event id (for polling)."),
):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    events = claim_timeline(claim)
    if after > 0:
        events = events.filter(seq__gt=min(after, 2**31))
    return [event_out(e) for e in events]


@router.get("/claims/{claim_id}/qr.svg", url_name="claim_qr_svg", summary="Portal QR code",
            operation_id="claim_qr_svg",
            response={200: None, **ERRORS},
            openapi_extra={"responses": {200: {
                "description": "The portal link as an SVG QR code.",
                "content": {"image/svg+xml": {"schema": {"type": "string"}}}}}})
def claim_qr_svg(request: HttpRequest, claim_id: int):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    link = portal_url(claim)
    if link is None:
        raise ApiError(404, "portal_link_revoked",
                       "This claim's portal link is revoked; issue a new one first.")
    response = HttpResponse(qr_svg(link), content_type="image/svg+xml")
    # The QR encodes the customer's credential: keep it out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response
