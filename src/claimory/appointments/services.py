"""Booking an appointment: checked against the location's hours and rules, and held by a
seat so a slot never takes more than its capacity, whatever races."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from claimory.appointments.models import Appointment, Availability, Status
from claimory.claims.models import Claim
from claimory.shops.models import Location

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BookingRefused(ValueError):
    """Why the slot can't be booked, in words for the customer (a 409 over the API)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Request:
    kind: str
    start: dt.datetime
    name: str
    phone: str = ""
    email: str = ""
    claim: Claim | None = None
    source: str = "api"


def availability_for(location: Location) -> Availability:
    rules, _ = Availability.objects.get_or_create(location=location)
    return rules


def _open_span(location: Location, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    hours = (location.business_hours or {}).get(WEEKDAYS[day.weekday()])
    if not hours:
        return None
    tz = ZoneInfo(location.timezone)
    opens = dt.datetime.combine(day, dt.time.fromisoformat(hours["open"]), tzinfo=tz)
    closes = dt.datetime.combine(day, dt.time.fromisoformat(hours["close"]), tzinfo=tz)
    return (opens, closes) if opens < closes else None


def slot_check(location: Location, rules: Availability, kind: str, start: dt.datetime,
               now: dt.datetime | None = None) -> dt.datetime:
    """The slot's end, or BookingRefused: past, too soon, too far, outside hours, off-grid."""
    now = now or timezone.now()
    if start.tzinfo is None:
        raise BookingRefused("invalid", "Give the start with its UTC offset.")
    if start <= now:
        raise BookingRefused("past", "That time has passed. Pick a later one.")
    if start < now + dt.timedelta(minutes=rules.lead_minutes):
        raise BookingRefused("too_soon", f"Book at least {rules.lead_minutes} minutes ahead.")
    if start > now + dt.timedelta(days=rules.window_days):
        raise BookingRefused("too_far", f"Book within the next {rules.window_days} days.")
    local = start.astimezone(ZoneInfo(location.timezone))
    end = start + dt.timedelta(minutes=rules.slot_minutes)
    span = _open_span(location, local.date())
    if span is None or not (span[0] <= local and end <= span[1]):
        raise BookingRefused("outside_hours", "The shop is closed then. Pick a time in its "
                                              "opening hours.")
    minutes = int((local - span[0]).total_seconds() // 60)
    if local.second or local.microsecond or minutes % rules.slot_minutes:
        raise BookingRefused("off_grid", f"Appointments start every {rules.slot_minutes} "
                                         f"minutes from opening time.")
    return end


def appointment_book(*, location: Location, request: Request) -> Appointment:
    """Book the first free seat of the slot; BookingRefused("full") when none is left."""
    rules = availability_for(location)
    end = slot_check(location, rules, request.kind, request.start)
    status = Status.CONFIRMED if rules.auto_confirm else Status.REQUESTED
    for seat in range(rules.capacity(request.kind)):
        try:
            with transaction.atomic():
                return Appointment.objects.create(
                    location=location, claim=request.claim, kind=request.kind,
                    start=request.start, end=end, seat=seat, status=status,
                    customer_name=request.name, phone=request.phone, email=request.email,
                    source=request.source)
        except IntegrityError:  # that seat is taken (maybe a moment ago): the next one
            continue
    raise BookingRefused("full", "That time is fully booked. Pick another.")
