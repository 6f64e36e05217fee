"""Email over the API: pipe one RFC 5322 message in (`POST /mail`), read a claim's email
(`GET /claims/<id>/emails`) and the people on its threads (`/claims/<id>/participants`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest
from ninja import Field, File, Router, Schema
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import WithJsonSchema

from claimory.api.auth import claim_get_for_key, key_of, key_require, location_of
from claimory.api.errors import ApiError
from claimory.api.idempotency import idempotent
from claimory.api.routes_claims import IDEMPOTENCY_PARAMETER
from claimory.api.schemas import ErrorOut, Input, Text
from claimory.mail.filing import mail_file
from claimory.mail.models import MailMessage, Participant, Role, Source
from claimory.mail.outgoing import header_text
from claimory.mail.parse import MAX_MESSAGE_BYTES, NotAnEmail

router = Router(tags=["email"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                          422: ErrorOut}


class MailFiledOut(Schema):
    id: int
    message_id: str
    status: str = Field(description="filed | unmatched | ignored")
    claim_id: int | None = Field(None, description="The claim it went to, when filed")
    direction: str = Field(description="in, or out for the shop's own mail")
    reason: str = Field(description="Why it went there (or why it waits for a person)")


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int
    kept: bool
    refused: str


class EmailOut(Schema):
    id: int
    message_id: str
    direction: str
    status: str
    subject: str
    from_address: str
    from_name: str
    to: list[list[str]]
    cc: list[list[str]]
    sent_at: dt.datetime | None
    created_at: dt.datetime
    text: str
    quoted: str
    in_reply_to: str
    attachments: list[AttachmentOut]


class ParticipantIn(Input):
    email: Annotated[str, Field(max_length=254), WithJsonSchema(
        {"type": "string", "format": "email", "maxLength": 254})]
    name: Text(200) = ""
    role: Role = Role.OTHER


class ParticipantOut(Schema):
    email: str
    name: str
    role: str
    source: str = Field(description="claim (its customer or adjuster) or added")


def filed_out(mail: MailMessage) -> dict[str, Any]:
    return {"id": mail.pk, "message_id": mail.message_id, "status": mail.status,
            "claim_id": mail.claim_id, "direction": mail.direction,
            "reason": mail.match_reason}


@router.post(
    "/mail", response={200: MailFiledOut, 201: MailFiledOut, **ERRORS, 409: ErrorOut,
                       413: ErrorOut},
    operation_id="mail_file", summary="File one email (RFC 5322) into its claim",
    openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]},
    description="Multipart `file`: one message as received (`.eml`, `message/rfc822`). It "
                "is filed exactly as a synced message would be: onto the claim its thread "
                "headers, subject tag, sender or claim/RO/VIN reference decide (201, "
                "`filed`), left for a person (`unmatched`) or kept out (`ignored`: "
                "auto-replies, bounces, bulk mail). A message already stored answers 200 "
                "with where it is and changes nothing. Not an email → 422.")
@decorate_view(idempotent)
def mail_file_route(request: HttpRequest, file: File[UploadedFile]):
    key_require(request, "mail.import")
    if (file.size or 0) > MAX_MESSAGE_BYTES:
        raise ApiError(413, "payload_too_large",
                       f"A message may be at most {MAX_MESSAGE_BYTES // (1024 * 1024)} MB.")
    raw = file.read(MAX_MESSAGE_BYTES + 1)
    try:
        filed = mail_file(location=location_of(request), raw=raw, source=Source.IMPORT)
    except NotAnEmail as exc:
        raise ApiError(422, "not_an_email", f"This is not an email: {exc}.",
                       {"file": [str(exc)]}) from exc
    return Status(201 if filed.created else 200, filed_out(filed.mail))


@router.get("/claims/{claim_id}/emails", response={200: list[EmailOut], **ERRORS},
            operation_id="email_list", summary="The claim's email, oldest first")
def email_list_route(request: HttpRequest, claim_id: int):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    mails = (MailMessage.objects.filter(claim=claim).prefetch_related("attachments")
             .order_by("created_at", "pk"))
    return [{
        "id": m.pk, "message_id": m.message_id, "direction": m.direction, "status": m.status,
        "subject": m.subject, "from_address": m.from_address, "from_name": m.from_name,
        "to": m.to, "cc": m.cc, "sent_at": m.sent_at, "created_at": m.created_at,
        "text": m.body_text, "quoted": m.quoted_text, "in_reply_to": m.in_reply_to,
        "attachments": [{"name": a.name, "content_type": a.content_type, "size": a.size,
                         "kept": bool(a.path), "refused": a.refused}
                        for a in m.attachments.all()],
    } for m in mails]


def _participants(claim) -> list[dict[str, str]]:
    people = []
    if claim.customer.email:
        people.append({"email": claim.customer.email.lower(), "name": claim.customer.name,
                       "role": Role.CUSTOMER, "source": "claim"})
    if claim.adjuster_email:
        people.append({"email": claim.adjuster_email.lower(), "name": claim.adjuster_name,
                       "role": Role.ADJUSTER, "source": "claim"})
    people += [{"email": p.email, "name": p.name, "role": p.role, "source": "added"}
               for p in Participant.objects.filter(claim=claim)]
    return people


@router.get("/claims/{claim_id}/participants", response={200: list[ParticipantOut], **ERRORS},
            operation_id="participant_list",
            summary="Who is on the claim's email threads (customer, adjuster, others)")
def participant_list_route(request: HttpRequest, claim_id: int):
    key_require(request, "claim.view")
    return _participants(claim_get_for_key(key_of(request), claim_id))


@router.post("/claims/{claim_id}/participants",
             response={201: list[ParticipantOut], **ERRORS, 409: ErrorOut},
             operation_id="participant_add",
             summary="Add someone (an appraiser, a second adjuster) to the claim's threads")
def participant_add_route(request: HttpRequest, claim_id: int, payload: ParticipantIn):
    from django.core.validators import validate_email

    key_require(request, "claim.edit")
    claim = claim_get_for_key(key_of(request), claim_id)
    address = payload.email.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ApiError(422, "invalid", "Give a valid email address.",
                       {"email": ["Give a valid email address."]}) from None
    if any(p["email"] == address for p in _participants(claim)):
        raise ApiError(409, "conflict", "That address is already on this claim.",
                       {"email": ["Already on this claim."]})
    try:
        Participant.objects.create(claim=claim, email=address, name=header_text(payload.name),
                                   role=payload.role)
    except IntegrityError:  # a concurrent add of the same address
        raise ApiError(409, "conflict", "That address is already on this claim.") from None
    return Status(201, _participants(claim))
