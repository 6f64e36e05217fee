"""`/api/v1/claims/<id>/documents…`: send a document for the customer to sign, read them,
void one, download the sealed signed PDF."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pydantic
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Body, Router
from ninja.decorators import decorate_view
from ninja.responses import Status

from claimory.api.auth import MAX_ID, actor_label, claim_get_for_key, key_of, key_require
from claimory.api.errors import ApiError, _message
from claimory.api.idempotency import HEADER, KEY_PATTERN, idempotent
from claimory.api.schemas import ErrorOut
from claimory.api.schemas_documents import (
    KIND_INPUTS,
    DocumentOut,
    VoidIn,
    document_in_openapi,
)
from claimory.claims.models import Channel, Claim
from claimory.esign import services
from claimory.esign.models import Document, Kind
from claimory.esign.models import Status as DocStatus
from claimory.esign.selectors import documents_for_claim
from claimory.photos.serving import file_response
from claimory.printables.qr import portal_url

router = Router(tags=["documents"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
IDEMPOTENCY = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "pattern": KEY_PATTERN, "maxLength": 255},
    "description": "Any unique string (a UUID). A retry with the same key within 24 hours "
                   "gets the first answer and sends no second document.",
}


def document_out(document: Document, claim: Claim) -> dict[str, Any]:
    pdf = None
    if document.signed_pdf:
        pdf = reverse("api:document_pdf", kwargs={"claim_id": claim.pk,
                                                  "document_id": document.pk})
    return {
        "id": document.pk, "claim_id": claim.pk, "kind": document.kind,
        "status": document.status, "title": document.title, "body": document.body,
        "fields": {str(k): str(v) for k, v in document.fields.items()},
        "content_sha256": document.content_sha256, "sent_at": document.sent_at,
        "first_viewed_at": document.first_viewed_at, "signed_at": document.signed_at,
        "signer_name": document.signer_name, "signature_method": document.signature_method,
        "voided_at": document.voided_at, "void_reason": document.void_reason,
        "replaces": document.replaces_id, "signed_sha256": document.signed_sha256,
        "pdf_url": pdf, "portal_url": portal_url(claim),
    }


def _document_of(claim: Claim, document_id: int) -> Document:
    if not 1 <= document_id <= MAX_ID:
        raise Http404("No such document.")
    document = Document.objects.filter(pk=document_id, claim=claim).first()
    if document is None:
        raise Http404("No such document.")
    return document


def _values(payload: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The kind and its values from a body, checked against that kind's exact schema."""
    kind = payload.get("kind")
    if kind not in KIND_INPUTS:
        message = f"Use one of: {', '.join(Kind.values)}."
        raise ApiError(422, "validation_error", f"kind: {message}", {"kind": [message]})
    try:
        data = KIND_INPUTS[kind].model_validate(payload)
    except pydantic.ValidationError as exc:
        fields: dict[str, list[str]] = {}
        for item in exc.errors():
            path = ".".join(str(p) for p in item.get("loc", ())) or "__all__"
            fields.setdefault(path, []).append(_message(item))
        first = next(iter(fields.items()))
        raise ApiError(422, "validation_error", f"{first[0]}: {first[1][0]}", fields) from None
    values = {name: ("" if value is None else f"{value:f}" if isinstance(value, Decimal)
                     else str(value))
              for name, value in data.model_dump(exclude={"kind"}).items()}
    return kind, values


@router.post("/claims/{claim_id}/documents",
             response={201: DocumentOut, **ERRORS, 409: ErrorOut, 413: ErrorOut},
             operation_id="document_create", summary="Send a document for the customer to sign",
             openapi_extra={**document_in_openapi(), "parameters": [IDEMPOTENCY]})
@decorate_view(idempotent)
def document_create(request: HttpRequest, response: HttpResponse, claim_id: int,
                    payload: Body[dict[str, Any]]):
    key_require(request, "documents.send")
    claim = claim_get_for_key(key_of(request), claim_id)
    kind, values = _values(payload)
    document = services.document_send(claim=claim, kind=kind, values=values,
                                      channel=Channel.API, actor_label=actor_label(request))
    response["Location"] = reverse("api:document_get", kwargs={"claim_id": claim.pk,
                                                               "document_id": document.pk})
    return Status(201, document_out(document, claim))


@router.get("/claims/{claim_id}/documents", response={200: list[DocumentOut], **ERRORS},
            operation_id="document_list", summary="The claim's documents, newest first")
def document_list(request: HttpRequest, claim_id: int):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    return [document_out(d, claim) for d in documents_for_claim(claim)]


@router.get("/claims/{claim_id}/documents/{document_id}", response={200: DocumentOut, **ERRORS},
            operation_id="document_get", summary="One document")
def document_get(request: HttpRequest, claim_id: int, document_id: int):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    return document_out(_document_of(claim, document_id), claim)


@router.post("/claims/{claim_id}/documents/{document_id}/void",
             response={200: DocumentOut, **ERRORS, 409: ErrorOut, 413: ErrorOut},
             operation_id="document_void",
             summary="Withdraw an unsigned document (the customer can no longer sign it)")
def document_void_route(request: HttpRequest, claim_id: int, document_id: int,
                        payload: VoidIn):
    key_require(request, "documents.send")
    claim = claim_get_for_key(key_of(request), claim_id)
    document = _document_of(claim, document_id)
    if document.status == DocStatus.SIGNED:
        raise ApiError(409, "already_signed",
                       "This document is signed and cannot be voided; send a new one.")
    document = services.document_void(document, reason=payload.reason, channel=Channel.API,
                                      actor_label=actor_label(request))
    return document_out(document, claim)


@router.get("/claims/{claim_id}/documents/{document_id}/pdf", url_name="document_pdf",
            operation_id="document_pdf", summary="The sealed signed PDF",
            response={200: None, **ERRORS, 409: ErrorOut},
            openapi_extra={"responses": {
                200: {"description": "The signed document with its certificate page, sealed.",
                      "content": {"application/pdf": {"schema": {"type": "string",
                                                                 "format": "binary"}}}},
                409: {"description": "Not signed yet, or signed and still being sealed."}}})
def document_pdf(request: HttpRequest, claim_id: int, document_id: int):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    document = _document_of(claim, document_id)
    if not document.signed_pdf:
        if document.status == DocStatus.SIGNED:
            raise ApiError(409, "not_sealed_yet",
                           "Signed; the sealed PDF is being made. Retry in a minute.")
        raise ApiError(409, "not_signed_yet", "The document is not signed yet.")
    name = f"{document.title} - {claim.ro_number or claim.pk}.pdf"
    return file_response(document.signed_pdf.name, private_seconds=0, download_name=name)
