"""`/api/v1/claims/<id>/supplements…`: the supplements sent to the carrier and their decisions.

An estimating system or DMS records "supplement 2 sent for $840" and later "approved"; open
portals flip the customer's supplement pill from the event the service writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.decorators import decorate_view
from ninja.responses import Status
from pydantic import WithJsonSchema

from claimory.api.auth import actor_label, claim_get_for_key, key_of, key_require
from claimory.api.errors import ApiError, fields_from_django
from claimory.api.idempotency import HEADER, KEY_PATTERN, idempotent
from claimory.api.schemas import Date, ErrorOut, Input, Int, Money, Text
from claimory.claims.models import Channel, Claim
from claimory.claims.services.validation import location_today
from claimory.money.models import Supplement, SupplementStatus
from claimory.money.selectors import supplement_get, supplements_of
from claimory.money.supplements import (
    NUMBER_MAX,
    SENT_ON_MAX_BACK,
    supplement_add,
    supplement_change,
)

router = Router(tags=["supplements"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
IDEMPOTENCY_PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "pattern": KEY_PATTERN, "maxLength": 255},
    "description": "Any unique string (a UUID): a retry with the same key gets the first "
                   "answer and records no second supplement.",
}


PAST_DATE_RULE = ("YYYY-MM-DD, from two years (730 days) back to today in the location's "
                  "time zone")
PastDate = Annotated[Date, WithJsonSchema({"type": "string", "format": "past-date",
                                           "description": PAST_DATE_RULE})]


class SupplementIn(Input):
    amount: Money
    sent_on: PastDate | None = Field(None, description="Day it went to the carrier; default "
                                     "today.")
    number: Int(1, NUMBER_MAX) | None = Field(
        None, description="Default: the next number. Numbers only move forward.")
    note: Text(500) = Field("", description="For staff only; never shown to the customer.")


class SupplementPatch(Input):
    status: SupplementStatus | None = Field(
        None, description="pending, approved or denied.")
    decided_on: PastDate | None = Field(
        None, description="Day of the carrier's decision (approved or denied), not before the "
                          "day it was sent; default today. A pending supplement has none.")
    amount: Money | None = None


class SupplementOut(Schema):
    number: int
    amount: str = Field(description="Decimal string, e.g. \"840.00\".")
    status: str
    sent_on: PastDate
    decided_on: PastDate | None
    note: str
    source: str


def _past_dates_check(claim: Claim, **dates: dt.date | None) -> None:
    """The date range the schema's ``past-date`` format states: out of it is a 422."""
    today = location_today(claim.location)
    fields = {name: [f"Use a date from {(today - SENT_ON_MAX_BACK).isoformat()} to "
                     f"{today.isoformat()} (today)."]
              for name, day in dates.items()
              if day is not None and not today - SENT_ON_MAX_BACK <= day <= today}
    if fields:
        raise ApiError(422, "validation_error", "; ".join(
            f"{name}: {messages[0]}" for name, messages in fields.items()), fields)


def _conflict(exc: ValidationError) -> ApiError:
    """A valid request the supplement's current state refuses (a number already passed, a
    decision date before the day it was sent, a date on a pending one): 409."""
    fields = fields_from_django(exc)
    message = "; ".join(f"{name}: {messages[0]}" for name, messages in fields.items())
    return ApiError(409, "conflict", message, fields)


def supplement_out(supplement: Supplement) -> dict[str, Any]:
    return {"number": supplement.number, "amount": f"{supplement.amount:.2f}",
            "status": supplement.status, "sent_on": supplement.sent_on,
            "decided_on": supplement.decided_on, "note": supplement.note,
            "source": supplement.source}


@router.get("/claims/{claim_id}/supplements", response={200: list[SupplementOut], **ERRORS},
            operation_id="supplement_list", summary="The claim's supplements, by number")
def supplement_list_route(request: HttpRequest, claim_id: int):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    return [supplement_out(s) for s in supplements_of(claim)]


@router.post("/claims/{claim_id}/supplements",
             response={201: SupplementOut, **ERRORS, 409: ErrorOut, 413: ErrorOut},
             operation_id="supplement_create",
             summary="Record a supplement sent to the carrier (pending)",
             openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]})
@decorate_view(idempotent)
def supplement_create_route(request: HttpRequest, claim_id: int, payload: SupplementIn):
    key_require(request, "claim.money_edit")
    claim = claim_get_for_key(key_of(request), claim_id)
    _past_dates_check(claim, sent_on=payload.sent_on)
    try:
        supplement = supplement_add(claim=claim, amount=payload.amount, sent_on=payload.sent_on,
                                    number=payload.number, note=payload.note,
                                    actor_label=actor_label(request), channel=Channel.API)
    except ValidationError as exc:
        raise _conflict(exc) from None
    return Status(201, supplement_out(supplement))


@router.patch("/claims/{claim_id}/supplements/{number}",
              response={200: SupplementOut, **ERRORS, 409: ErrorOut, 413: ErrorOut},
              operation_id="supplement_patch",
              summary="Approve, deny or reopen a supplement, or correct its amount")
def supplement_patch_route(request: HttpRequest, claim_id: int, number: int,
                           payload: SupplementPatch):
    key_require(request, "claim.money_edit")
    claim = claim_get_for_key(key_of(request), claim_id)
    supplement = supplement_get(claim, number) if 1 <= number <= NUMBER_MAX else None
    if supplement is None:
        raise Http404("No such supplement.")
    _past_dates_check(claim, decided_on=payload.decided_on)
    try:
        changed = supplement_change(supplement=supplement, status=payload.status,
                                    decided_on=payload.decided_on, amount=payload.amount,
                                    actor_label=actor_label(request), channel=Channel.API)
    except ValidationError as exc:
        raise _conflict(exc) from None
    return supplement_out(changed)
