"""Staff appointments: the calendar (day or week, by kind, places used and left), one
appointment's page (confirm, reschedule, cancel, link to a claim), and Settings →
Appointments (availability, holidays, the secret calendar feed)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claimory.appointments.models import Appointment
from claimory.appointments.services import (
    BookingRefused,
    appointment_cancel,
    appointment_confirm,
    appointment_link_claim,
    appointment_reschedule,
    appointment_url,
    availability_for,
    availability_update,
    calendar_days,
    calendar_secret_rotate,
    free_slots,
)
from claimory.backoffice.access import permission_view
from claimory.backoffice.forms.appointments import (
    AvailabilityForm,
    CancelForm,
    LinkClaimForm,
    RescheduleForm,
)
from claimory.backoffice.views.settings import _pick_location
from claimory.claims.selectors import claim_get_for_user
from claimory.core.origin import base_url
from claimory.shops.models import Location
from claimory.shops.selectors import location_get_for_user, locations_for_user
from claimory.shops.services import location_timezone

BOOK, MANAGE = "appointments.book", "appointments.manage"


def _appointment_for_user(request: HttpRequest, appointment_id: int) -> Appointment:
    """The appointment at one of the teammate's locations; 404 otherwise (no hints)."""
    row = (Appointment.objects.select_related("location", "claim", "claim__vehicle")
           .filter(pk=appointment_id, location__in=locations_for_user(request.user)).first())
    if row is None:
        raise Http404("No such appointment")
    return row


def _first_day(request: HttpRequest, location: Location) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = None
    # A year like 9999 would overflow the week's arithmetic (a 500): today instead.
    if day is None or not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        return dt.datetime.now(location_timezone(location)).date()
    return day


@permission_view(BOOK)
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    location = _pick_location(request)
    week = request.GET.get("view") != "day"
    first = _first_day(request, location)
    if week:
        first -= dt.timedelta(days=first.weekday())
    span = 7 if week else 1
    days = calendar_days(location, first, span)
    waiting = (Appointment.objects.filter(location=location, status="requested",
                                          start__gte=dt.datetime.now(dt.UTC))
               .order_by("start")[:20])
    return render(request, "backoffice/appointments.html", {
        "location": location, "locations": list(locations_for_user(request.user)),
        "days": days, "week": week, "first": first,
        "previous": first - dt.timedelta(days=span), "next": first + dt.timedelta(days=span),
        "today": dt.datetime.now(location_timezone(location)).date(), "waiting": waiting,
        "zone": location_timezone(location).key,
    })


def _detail(request: HttpRequest, row: Appointment, *, status: int = 200,
            reschedule: RescheduleForm | None = None, cancel: CancelForm | None = None,
            link: LinkClaimForm | None = None, error: str = "") -> HttpResponse:
    slots = free_slots(row.location, row.kind, exclude=row.pk, days=14) if row.active else []
    for day in slots:  # its own time is no move
        day.slots = [s for s in day.slots if s.start != row.start]
    return render(request, "backoffice/appointment_detail.html", {
        "row": row, "location": row.location, "slots": slots,
        "customer_url": appointment_url(row),
        "reschedule": reschedule or RescheduleForm(), "cancel": cancel or CancelForm(),
        "link": link or LinkClaimForm(), "error": error,
        "zone": location_timezone(row.location).key,
    }, status=status)


@permission_view(BOOK)
@require_GET
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _detail(request, _appointment_for_user(request, appointment_id))


def _back(row: Appointment) -> HttpResponse:
    return redirect("backoffice:appointment", row.pk)


@permission_view(BOOK)
@require_POST
def appointment_confirm_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    row = _appointment_for_user(request, appointment_id)
    try:
        appointment_confirm(appointment=row, actor=request.user)
    except ValidationError as exc:
        return _detail(request, row, status=409, error=" ".join(exc.messages))
    messages.success(request, "Appointment confirmed. The customer is told.")
    if request.POST.get("next") == "calendar":
        return redirect(f"{reverse('backoffice:appointments')}?location={row.location.slug}"
                        f"&day={row.start.astimezone(location_timezone(row.location)).date()}")
    return _back(row)


@permission_view(BOOK)
@require_POST
def appointment_reschedule_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    row = _appointment_for_user(request, appointment_id)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _detail(request, row, status=400, reschedule=form)
    try:
        appointment_reschedule(appointment=row, start=form.cleaned_data["start"],
                               actor=request.user)
    except BookingRefused as exc:
        return _detail(request, row, status=409, reschedule=form, error=exc.message)
    messages.success(request, "Appointment moved. The customer is told.")
    return _back(row)


@permission_view(BOOK)
@require_POST
def appointment_cancel_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    row = _appointment_for_user(request, appointment_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _detail(request, row, status=400, cancel=form)
    appointment_cancel(appointment=row, reason=form.cleaned_data["reason"], actor=request.user)
    messages.success(request, "Appointment cancelled. The customer is told.")
    return _back(row)


@permission_view(BOOK)
@require_POST
def appointment_link_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    row = _appointment_for_user(request, appointment_id)
    form = LinkClaimForm(request.POST)
    if not form.is_valid():
        return _detail(request, row, status=400, link=form)
    claim = claim_get_for_user(request.user, form.cleaned_data["claim"], "claim.view")
    try:
        appointment_link_claim(appointment=row, claim=claim, actor=request.user)
    except ValidationError as exc:
        form.add_error("claim", exc.messages)
        return _detail(request, row, status=400, link=form)
    messages.success(request, "Appointment linked to the claim.")
    return _back(row)


# ---- Settings → Appointments ---------------------------------------------------------------

def _settings_page(request: HttpRequest, location: Location, *,
                   form: AvailabilityForm | None = None, status: int = 200) -> HttpResponse:
    rules = availability_for(location)
    if form is None:
        initial = {name: getattr(rules, name) for name in AvailabilityForm.base_fields}
        initial["closed_dates"] = "\n".join(rules.closed_dates or [])
        form = AvailabilityForm(initial=initial)
    return render(request, "backoffice/settings_appointments.html", {
        "location": location, "locations": list(locations_for_user(request.user)),
        "form": form, "feed_url": f"{base_url()}/calendar/{rules.calendar_token}.ics",
        "public_url": f"{base_url()}{reverse('public:appointment', args=[location.slug])}",
        "zone": location_timezone(location).key,
    }, status=status)


@permission_view(MANAGE)
@require_GET
def appointment_settings(request: HttpRequest) -> HttpResponse:
    return _settings_page(request, _pick_location(request))


@permission_view(MANAGE)
@require_POST
def appointment_settings_save(request: HttpRequest, location_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        try:
            availability_update(location=location, changes=form.cleaned_data,
                                actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Appointment settings saved.")
            return redirect(f"{reverse('backoffice:settings_appointments')}"
                            f"?location={location.slug}")
    return _settings_page(request, location, form=form, status=400)


@permission_view(MANAGE)
@require_POST
def calendar_secret_rotate_view(request: HttpRequest, location_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    calendar_secret_rotate(location=location, actor=request.user)
    messages.success(request, "New calendar link made: the old one no longer works. "
                              "Subscribe again with the link below.")
    return redirect(f"{reverse('backoffice:settings_appointments')}?location={location.slug}"
                    "#feed")
