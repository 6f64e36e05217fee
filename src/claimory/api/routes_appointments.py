"""`/api/v1/appointments`: book an estimate, drop-off or pickup (409 when the slot is full,
outside hours or past), list them, and the shop's secret iCalendar feed URL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.responses import Status
from pydantic import AwareDatetime, WithJsonSchema

from claimory.api.auth import actor_label, claim_get_for_key, key_of, key_require, location_of
from claimory.api.errors import ApiError, error_body
from claimory.api.idempotency import idempotent
from claimory.api.routes_claims import IDEMPOTENCY_PARAMETER
from claimory.api.schemas import Email, ErrorOut, Input, Phone, RequiredText
from claimory.appointments.models import Appointment, Kind
from claimory.appointments.services import (
    BookingRefused,
    Request,
    appointment_book,
    availability_for,
)
from claimory.core.origin import base_url

router = Router(tags=["appointments"])


class CustomerIn(Input):
    name: RequiredText(120)
    phone: Phone() = ""
    email: Email() = ""


class AppointmentIn(Input):
    kind: Kind
    start: AwareDatetime = Field(description="ISO 8601 with its UTC offset; on the slot grid")
    customer: CustomerIn
    claim_id: int | None = Field(None, ge=1, le=2**31 - 1)


class AppointmentOut(Schema):
    id: int
    status: str
    kind: str
    start: dt.datetime
    end: dt.datetime
    claim_id: int | None
    customer: dict[str, str]


class RefusedOut(Schema):
    reason: str | None = Field(None, description="Why the slot can't be booked")
    error: dict[str, Any]


# A calendar day written YYYY-MM-DD (checked as a real date in the route).
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$"),
                WithJsonSchema({"type": "string", "format": "date"})]


class Period(Schema):
    from_: Day | None = Field(None, alias="from", description="First day (inclusive)")
    to: Day | None = Field(None, description="Last day (inclusive)")


def _day(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "invalid", f"`{name}` is not a date.",
                       {name: ["Give a date as YYYY-MM-DD."]}) from None
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):  # 9999-12-31 + 1 day: a 500
        raise ApiError(422, "invalid", f"`{name}` is out of range.",
                       {name: ["Give a date from 2000 to 2100."]})
    return day


class CalendarOut(Schema):
    ics_url: str = Field(description="Secret RFC 5545 feed; needs no other credential")


def appointment_out(row: Appointment) -> dict[str, Any]:
    return {"id": row.pk, "status": row.status, "kind": row.kind, "start": row.start,
            "end": row.end, "claim_id": row.claim_id,
            "customer": {"name": row.customer_name, "phone": row.phone, "email": row.email}}


def _refused(exc: BookingRefused) -> HttpResponse:
    body = {"reason": exc.message, **error_body(exc.code, exc.message, {"start": [exc.message]})}
    return HttpResponse(json.dumps(body), status=409, content_type="application/json")


@router.post(
    "/appointments",
    response={201: AppointmentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
              409: RefusedOut, 422: ErrorOut},
    operation_id="appointment_book", summary="Book an estimate, drop-off or pickup",
    openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]},
    description="201 with `id` and `status` (`requested`, or `confirmed` where the shop "
                "confirms automatically). 409 with a `reason` (and `error.code`) when the "
                "slot is full (`full`), the day's cap for the kind is reached (`day_full`), "
                "the shop is closed that day (`closed`, a holiday) or then (`outside_hours`), "
                "off the slot grid (`off_grid`), past, too soon or too far ahead. Two "
                "requests racing for the last place: exactly one gets 201.")
@decorate_view(idempotent)
def appointment_book_route(request: HttpRequest, payload: AppointmentIn):
    key_require(request, "appointments.book")
    location = location_of(request)
    claim = claim_get_for_key(key_of(request), payload.claim_id) if payload.claim_id else None
    try:
        row = appointment_book(location=location, request=Request(
            kind=payload.kind, start=payload.start, name=payload.customer.name.strip(),
            phone=payload.customer.phone, email=payload.customer.email, claim=claim),
            actor_label=actor_label(request))
    except BookingRefused as exc:
        return _refused(exc)
    return Status(201, appointment_out(row))


@router.get("/appointments",
            response={200: list[AppointmentOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                      422: ErrorOut},
            operation_id="appointment_list",
            summary="Appointments from `from` to `to` (dates, the shop's time zone)")
def appointment_list_route(request: HttpRequest, period: Query[Period]):
    key_require(request, "appointments.book")
    from_, to = _day(period.from_, "from"), _day(period.to, "to")
    location = location_of(request)
    tz = ZoneInfo(location.timezone)
    rows = Appointment.objects.filter(location=location)
    if from_ is not None:
        rows = rows.filter(start__gte=dt.datetime.combine(from_, dt.time(), tzinfo=tz))
    if to is not None:
        rows = rows.filter(start__lt=dt.datetime.combine(to, dt.time(), tzinfo=tz)
                           + dt.timedelta(days=1))
    return [appointment_out(row) for row in rows.order_by("start", "pk")[:500]]


@router.get("/location/calendar",
            response={200: CalendarOut, 401: ErrorOut, 403: ErrorOut},
            operation_id="location_calendar", summary="The shop's secret iCalendar feed URL")
def location_calendar_route(request: HttpRequest):
    key_require(request, "appointments.book")
    rules = availability_for(location_of(request))
    return {"ics_url": f"{base_url()}/calendar/{rules.calendar_token}.ics"}
