"""Booking an appointment: checked against the location's hours, holidays and rules, and held
by seats (per slot, and per day where the kind has a daily cap) so no slot or day ever takes
more than its capacity, whatever races. Every change tied to a claim records an
``appointment`` event (the customer's portal shows it) and tells the customer
(appointments/notices.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from claimory.appointments import tokens
from claimory.appointments.models import (
    ACTIVE,
    Appointment,
    AppointmentReminder,
    Availability,
    Kind,
    ReminderState,
    Status,
    calendar_secret,
)
from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.core import durable
from claimory.core.origin import base_url
from claimory.shops.models import Location
from claimory.shops.permissions import authorize
from claimory.shops.services import location_timezone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REMIND_BEFORE = dt.timedelta(hours=24)


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
    vehicle: str = ""
    note: str = ""


def availability_for(location: Location) -> Availability:
    rules, _ = Availability.objects.get_or_create(location=location)
    return rules


def closed_on(rules: Availability, day: dt.date) -> bool:
    return day.isoformat() in (rules.closed_dates or [])


def _open_span(location: Location, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    hours = (location.business_hours or {}).get(WEEKDAYS[day.weekday()])
    if not hours:
        return None
    tz = location_timezone(location)
    opens = dt.datetime.combine(day, dt.time.fromisoformat(hours["open"]), tzinfo=tz)
    closes = dt.datetime.combine(day, dt.time.fromisoformat(hours["close"]), tzinfo=tz)
    return (opens, closes) if opens < closes else None


def day_slots(location: Location, rules: Availability, day: dt.date) -> list[dt.datetime]:
    """Every slot start of ``day`` in opening hours (none on a holiday). Walked in UTC so a
    DST change day still steps by real minutes."""
    span = _open_span(location, day)
    if span is None or closed_on(rules, day):
        return []
    step = dt.timedelta(minutes=rules.slot_minutes)
    opens, closes = span[0].astimezone(dt.UTC), span[1].astimezone(dt.UTC)
    out, at = [], opens
    while at + step <= closes:
        out.append(at)
        at += step
    return out


def slot_check(location: Location, rules: Availability, kind: str, start: dt.datetime,
               now: dt.datetime | None = None) -> dt.datetime:
    """The slot's end, or BookingRefused: past, too soon, too far, closed, outside hours,
    off-grid."""
    now = now or timezone.now()
    if start.tzinfo is None:
        raise BookingRefused("invalid", "Give the start with its UTC offset.")
    if start <= now:
        raise BookingRefused("past", "That time has passed. Pick a later one.")
    if start < now + dt.timedelta(minutes=rules.lead_minutes):
        raise BookingRefused("too_soon", f"Book at least {rules.lead_minutes} minutes ahead.")
    if start > now + dt.timedelta(days=rules.window_days):
        raise BookingRefused("too_far", f"Book within the next {rules.window_days} days.")
    local = start.astimezone(location_timezone(location))
    if closed_on(rules, local.date()):
        raise BookingRefused("closed", "The shop is closed that day. Pick another day.")
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


# ---- free places --------------------------------------------------------------------------

@dataclass
class Slot:
    start: dt.datetime
    left: int


@dataclass
class DaySlots:
    day: dt.date
    slots: list[Slot] = field(default_factory=list)


def _active(location: Location, kind: str, exclude: int | None = None):
    rows = Appointment.objects.filter(location=location, kind=kind, status__in=ACTIVE)
    return rows.exclude(pk=exclude) if exclude else rows


def free_slots(location: Location, kind: str, *, now: dt.datetime | None = None,
               days: int = 14, exclude: int | None = None,
               first_day: dt.date | None = None) -> list[DaySlots]:
    """Bookable slots of ``kind`` by local day for the next ``days`` days (within the rules'
    lead time and window), each with its places left; full slots and full days left out."""
    rules = availability_for(location)
    now = now or timezone.now()
    tz = location_timezone(location)
    earliest = now + dt.timedelta(minutes=rules.lead_minutes)
    latest = now + dt.timedelta(days=rules.window_days)
    today = first_day or now.astimezone(tz).date()
    last = today + dt.timedelta(days=days - 1)
    rows = _active(location, kind, exclude).filter(
        start__gte=dt.datetime.combine(today, dt.time(), tzinfo=tz),
        start__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz))
    per_slot = Counter(rows.values_list("start", flat=True))
    per_day = Counter(start.astimezone(tz).date() for start in per_slot.elements())
    capacity, day_cap = rules.capacity(kind), rules.day_capacity(kind)
    out = []
    for n in range(days):
        day = today + dt.timedelta(days=n)
        if day_cap and per_day[day] >= day_cap:
            continue
        slots = [Slot(start, capacity - per_slot[start])
                 for start in day_slots(location, rules, day)
                 if earliest <= start <= latest and per_slot[start] < capacity]
        if slots:
            out.append(DaySlots(day, slots))
    return out


def _pick_seats(location: Location, rules: Availability, kind: str, start: dt.datetime,
                day: dt.date, exclude: int | None) -> tuple[int, int | None]:
    """The lowest free slot seat and day seat, or BookingRefused."""
    taken = set(_active(location, kind, exclude).filter(start=start)
                .values_list("seat", flat=True))
    free = [s for s in range(rules.capacity(kind)) if s not in taken]
    if not free:
        raise BookingRefused("full", "That time is fully booked. Pick another.")
    day_cap = rules.day_capacity(kind)
    if not day_cap:
        return free[0], None
    day_taken = set(_active(location, kind, exclude).filter(day=day, day_seat__isnull=False)
                    .values_list("day_seat", flat=True))
    day_free = [s for s in range(day_cap) if s not in day_taken]
    if not day_free:
        raise BookingRefused("day_full", "That day is fully booked. Pick another day.")
    return free[0], day_free[0]


def _hold(location: Location, rules: Availability, kind: str, start: dt.datetime,
          write: Callable[[int, dt.date, int | None], Appointment],
          exclude: int | None = None) -> Appointment:
    """Take a slot seat (and day seat) with ``write(seat, day, day_seat)``: a seat another
    request took a moment ago fails its unique index, so the free seats are read again. The
    last place goes to exactly one of two racing requests; the other is refused."""
    day = start.astimezone(location_timezone(location)).date()
    tries = rules.capacity(kind) + rules.day_capacity(kind) + 2
    for _ in range(tries):
        seat, day_seat = _pick_seats(location, rules, kind, start, day, exclude)
        try:
            with transaction.atomic():
                return write(seat, day, day_seat)
        except IntegrityError:
            continue
    raise BookingRefused("full", "That time is fully booked. Pick another.")


# ---- links, events, reminders --------------------------------------------------------------

def appointment_token(row: Appointment) -> str:
    return tokens.derive(row.pk, row.token_salt) if row.token_salt else ""


def appointment_url(row: Appointment) -> str:
    token = appointment_token(row)
    return f"{base_url()}/a/{token}" if token else ""


def appointment_for_token(token: str) -> Appointment | None:
    if not tokens.looks_like_token(token):
        return None
    return (Appointment.objects.select_related("location", "claim", "location__workspace")
            .filter(token_hash=tokens.hash_token(token)).first())


def local_when(row: Appointment, start: dt.datetime | None = None) -> str:
    local = (start or row.start).astimezone(location_timezone(row.location))
    return f"{local:%a %b} {local.day}, {local:%I:%M %p}".replace(" 0", " ")


def _event(row: Appointment, action: str, *, actor: Any = None, actor_label: str = "",
           channel: str = Channel.STAFF, reason: str = "") -> None:
    if row.claim_id is None:
        return
    data = {"appointment_id": row.pk, "action": action, "kind": row.kind,
            "kind_name": str(row.get_kind_display()), "start": row.start.isoformat(),
            "when": local_when(row), "status": row.status}
    if reason:
        data["reason"] = reason[:300]
    event_record(claim=row.claim, type=EventType.APPOINTMENT, actor=actor,
                 actor_label=actor_label, channel=channel, customer_visible=True, data=data)


def _tell(row: Appointment, action: str, actor: Any = None) -> None:
    from claimory.appointments.notices import notice

    notice(row, action, actor=actor)


def _plan_reminder(row: Appointment) -> None:
    """Skip every pending reminder that no longer fits; write the one for the current time
    when the appointment is confirmed, tied to a claim, and more than a day ahead."""
    pending = AppointmentReminder.objects.filter(appointment=row, state=ReminderState.PENDING)
    keep = row.status == Status.CONFIRMED and row.claim_id is not None
    stale = pending if not keep else pending.exclude(start=row.start)
    stale.update(state=ReminderState.SKIPPED, updated_at=timezone.now(),
                 outcome="Cancelled" if row.status == Status.CANCELLED else "Rescheduled")
    due = row.start - REMIND_BEFORE
    if not keep or due <= timezone.now():
        return
    reminder, created = AppointmentReminder.objects.get_or_create(appointment=row,
                                                                  start=row.start)
    if created or reminder.state == ReminderState.SKIPPED:
        if not created:
            reminder.state = ReminderState.PENDING
            reminder.save(update_fields=["state", "updated_at"])
        durable.schedule(reminder, at=due)


# ---- booking -----------------------------------------------------------------------------

def appointment_book(*, location: Location, request: Request, actor: Any = None,
                     actor_label: str = "", channel: str = Channel.API) -> Appointment:
    """Book the first free seat of the slot; BookingRefused("full"/"day_full") when none is
    left. The customer gets their link (/a/<token>) and, on a claim, the news."""
    rules = availability_for(location)
    end = slot_check(location, rules, request.kind, request.start)
    status = Status.CONFIRMED if rules.auto_confirm else Status.REQUESTED
    salt = tokens.new_salt()

    def write(seat: int, day: dt.date, day_seat: int | None) -> Appointment:
        return Appointment.objects.create(
            location=location, claim=request.claim, kind=request.kind,
            start=request.start, end=end, seat=seat, day=day, day_seat=day_seat,
            status=status, customer_name=request.name[:120], phone=request.phone,
            email=request.email, vehicle=request.vehicle[:120], note=request.note[:500],
            source=request.source, token_salt=salt)

    with transaction.atomic():
        row = _hold(location, rules, request.kind, request.start, write)
        row.token_hash = tokens.hash_token(tokens.derive(row.pk, salt))
        row.save(update_fields=["token_hash"])
        _event(row, "booked" if row.status == Status.CONFIRMED else "requested",
               actor=actor, actor_label=actor_label or request.name, channel=channel)
        _tell(row, "confirmed" if row.status == Status.CONFIRMED else "requested", actor)
        _plan_reminder(row)
    return row


def _locked(row: Appointment) -> Appointment:
    """The row again under its lock (two staff clicking at once act one after the other)."""
    Appointment.objects.select_for_update().filter(pk=row.pk).values_list("pk").get()
    row.refresh_from_db()
    return row


def appointment_confirm(*, appointment: Appointment, actor: Any = None) -> Appointment:
    authorize(actor, "appointments.book", appointment.location)
    with transaction.atomic():
        row = _locked(appointment)
        if row.status != Status.REQUESTED:
            raise ValidationError("Only a requested appointment can be confirmed.")
        row.status = Status.CONFIRMED
        row.save(update_fields=["status", "updated_at"])
        _event(row, "confirmed", actor=actor)
        _tell(row, "confirmed", actor)
        _plan_reminder(row)
    return row


def appointment_reschedule(*, appointment: Appointment, start: dt.datetime, actor: Any = None,
                           by_customer: bool = False) -> Appointment:
    """Move the booking to ``start`` through the same seat path (BookingRefused when that
    slot or day is full); the customer's .ics gets a higher SEQUENCE."""
    if not by_customer:
        authorize(actor, "appointments.book", appointment.location)
    location = appointment.location
    rules = availability_for(location)
    with transaction.atomic():
        row = _locked(appointment)
        if not row.active:
            raise BookingRefused("cancelled", "This appointment is cancelled. Book a new one.")
        if start == row.start:
            return row
        end = slot_check(location, rules, row.kind, start)

        def write(seat: int, day: dt.date, day_seat: int | None) -> Appointment:
            Appointment.objects.filter(pk=row.pk).update(
                start=start, end=end, seat=seat, day=day, day_seat=day_seat,
                sequence=F("sequence") + 1, updated_at=timezone.now())
            return row

        previous = local_when(row)
        _hold(location, rules, row.kind, start, write, exclude=row.pk)
        row.refresh_from_db()
        _event(row, "rescheduled", actor=None if by_customer else actor,
               actor_label=row.customer_name if by_customer else "",
               channel=Channel.PORTAL if by_customer else Channel.STAFF,
               reason=f"was {previous}")
        _tell(row, "rescheduled", actor)
        _plan_reminder(row)
    return row


def appointment_cancel(*, appointment: Appointment, reason: str = "", actor: Any = None,
                       by_customer: bool = False) -> Appointment:
    if not by_customer:
        authorize(actor, "appointments.book", appointment.location)
    with transaction.atomic():
        row = _locked(appointment)
        if not row.active:
            return row
        row.status = Status.CANCELLED
        row.cancel_reason = (reason or ("Cancelled by the customer" if by_customer
                                        else "")).strip()[:300]
        row.sequence += 1
        row.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
        _event(row, "cancelled", actor=None if by_customer else actor,
               actor_label=row.customer_name if by_customer else "",
               channel=Channel.PORTAL if by_customer else Channel.STAFF,
               reason=row.cancel_reason)
        _tell(row, "cancelled", actor)
        _plan_reminder(row)
    return row


def appointment_link_claim(*, appointment: Appointment, claim: Claim,
                           actor: Any = None) -> Appointment:
    """Tie the appointment to a claim of the same location (its timeline records it)."""
    authorize(actor, "appointments.book", appointment.location)
    if claim.location_id != appointment.location_id:
        raise ValidationError("That claim is at another location.")
    with transaction.atomic():
        row = _locked(appointment)
        row.claim = claim
        row.save(update_fields=["claim", "updated_at"])
        _event(row, "linked", actor=actor)
        _plan_reminder(row)
    return row


# ---- requests from customers --------------------------------------------------------------

def kinds_for_claim(claim: Claim) -> list[str]:
    """What a customer with a claim may book: an estimate until there is one, then drop-off
    and pickup; nothing once the car is delivered."""
    if claim.stage.is_delivery:
        return []
    kinds = [] if claim.estimate_total is not None else [Kind.ESTIMATE]
    return [*kinds, Kind.DROP_OFF, Kind.PICKUP]


def portal_request(*, claim: Claim, kind: str, start: dt.datetime,
                   note: str = "") -> Appointment:
    """A customer books from their claim's portal: name and contact from the claim."""
    if kind not in kinds_for_claim(claim):
        raise BookingRefused("invalid", "That kind of appointment can't be booked here.")
    customer = claim.customer
    return appointment_book(location=claim.location, request=Request(
        kind=kind, start=start, name=customer.name, phone=customer.phone,
        email=customer.email, claim=claim, source="portal", vehicle=str(claim.vehicle),
        note=note), actor_label=customer.name, channel=Channel.PORTAL)


@dataclass(frozen=True)
class NewCustomer:
    name: str
    phone: str
    email: str = ""
    year: int | None = None
    make: str = ""
    model: str = ""
    sms_opt_in: bool = False
    email_opt_in: bool = False
    language: str = "en"


def public_request(*, location: Location, customer: NewCustomer, kind: str,
                   start: dt.datetime, note: str = "", photos: tuple = ()) -> Appointment:
    """A new customer books from /p/<slug>: opens a claim at the first stage (so photos,
    messages, the portal and notifications work as for any claim), then books. Photos go
    through the photo upload checks (photos/services.photo_receive)."""
    from claimory.claims.services.inputs import ClaimInput, CustomerInput, VehicleInput
    from claimory.claims.services.intake import claim_create
    from claimory.photos.models import Kind as PhotoKind
    from claimory.photos.models import Source
    from claimory.photos.services import photo_receive

    rules = availability_for(location)
    slot_check(location, rules, kind, start)  # refuse before opening anything
    label = str(Kind(kind).label)
    with transaction.atomic():
        claim = claim_create(location=location, data=ClaimInput(
            customer=CustomerInput(name=customer.name, phone=customer.phone,
                                   email=customer.email, language=customer.language,
                                   sms_opt_in=False, email_opt_in=customer.email_opt_in),
            vehicle=VehicleInput(year=customer.year, make=customer.make, model=customer.model),
            internal_notes=f"Opened by an online {label.lower()} request (/p/{location.slug})."),
            channel=Channel.PORTAL, actor_label=customer.name, announce=False)
        if customer.sms_opt_in and claim.customer.phone:
            _sms_consent(claim)
        vehicle = " ".join(str(p) for p in (customer.year, customer.make, customer.model) if p)
        row = appointment_book(location=location, request=Request(
            kind=kind, start=start, name=customer.name, phone=claim.customer.phone,
            email=customer.email, claim=claim, source="web", vehicle=vehicle, note=note),
            actor_label=customer.name, channel=Channel.PORTAL)
        for upload in photos:
            photo_receive(claim=claim, upload=upload, name=getattr(upload, "name", "") or "",
                          source=Source.CUSTOMER, kind=PhotoKind.DAMAGE,
                          actor_label=customer.name, channel=Channel.PORTAL)
    return row


def _sms_consent(claim: Claim) -> None:
    from claimory.sms.consent import consent_record
    from claimory.sms.models import Consent, ConsentMethod

    customer = claim.customer
    customer.sms_opt_in, customer.sms_opt_in_at = True, timezone.now()
    customer.save(update_fields=["sms_opt_in", "sms_opt_in_at", "updated_at"])
    consent_record(location=claim.location, phone=customer.phone, status=Consent.OPTED_IN,
                   method=ConsentMethod.INTAKE,
                   evidence="Online appointment request: “Text me about this appointment” "
                            "checked", actor_label=customer.name, claim=claim,
                   claim_event=False)


# ---- settings ------------------------------------------------------------------------------

AVAILABILITY_FIELDS = ("slot_minutes", "estimate_capacity", "drop_off_capacity",
                       "pickup_capacity", "estimate_day_capacity", "drop_off_day_capacity",
                       "pickup_day_capacity", "lead_minutes", "window_days", "auto_confirm",
                       "closed_dates")


def availability_update(*, location: Location, changes: dict[str, Any],
                        actor: Any = None) -> Availability:
    authorize(actor, "appointments.manage", location)
    unknown = set(changes) - set(AVAILABILITY_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
    rules = availability_for(location)
    for name, value in changes.items():
        setattr(rules, name, value)
    rules.save()
    return rules


def calendar_secret_rotate(*, location: Location, actor: Any = None) -> Availability:
    """A new feed URL: the old one stops working at once (a leaked link)."""
    authorize(actor, "appointments.manage", location)
    rules = availability_for(location)
    rules.calendar_token = calendar_secret()
    rules.save(update_fields=["calendar_token", "updated_at"])
    return rules


# ---- the staff calendar -----------------------------------------------------------------

@dataclass
class KindDay:
    kind: str
    label: str
    rows: list[Appointment]
    used: int
    capacity: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.used)


@dataclass
class CalendarDay:
    day: dt.date
    closed: bool
    kinds: list[KindDay]


def calendar_days(location: Location, first: dt.date, days: int) -> list[CalendarDay]:
    """Each day's appointments by kind, with places used and left (the daily cap, else the
    sum of slot capacities)."""
    rules = availability_for(location)
    tz: ZoneInfo = location_timezone(location)
    rows = list(Appointment.objects.filter(
        location=location,
        start__gte=dt.datetime.combine(first, dt.time(), tzinfo=tz),
        start__lt=dt.datetime.combine(first + dt.timedelta(days=days), dt.time(), tzinfo=tz))
        .select_related("claim", "claim__vehicle").order_by("start", "pk"))
    out = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        todays = [r for r in rows if r.start.astimezone(tz).date() == day]
        slots = len(day_slots(location, rules, day))
        kinds = []
        for kind in Kind:
            mine = [r for r in todays if r.kind == kind]
            used = sum(1 for r in mine if r.active)
            capacity = slots * rules.capacity(kind)
            if rules.day_capacity(kind):
                capacity = min(capacity, rules.day_capacity(kind))
            kinds.append(KindDay(kind.value, str(kind.label), mine, used, capacity))
        out.append(CalendarDay(day, slots == 0, kinds))
    return out
