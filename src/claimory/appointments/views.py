"""Customer-facing appointment pages, and the shop's secret iCalendar feed.

- ``/p/<slug>/appointment``: a new customer requests an estimate, drop-off or pickup (name,
  phone, vehicle, optional damage photos), picking a free slot from a server-rendered list
  (no JS needed). Rate-limited per client address.
- ``/c/<token>/appointment``: the same from a claim's portal (the customer is known).
- ``/a/<token>``: the customer's appointment link (from the texts and emails): see it, move
  it to another free slot, cancel it. The token is a capability, like a portal link.
- ``/calendar/<token>.ics``: the feed, no other credential; an unknown token is a 404.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claimory.appointments.forms import MAX_PHOTOS, PublicRequestForm, SlotForm
from claimory.appointments.ics import calendar_ics
from claimory.appointments.models import Appointment, Availability, Kind
from claimory.appointments.services import (
    BookingRefused,
    NewCustomer,
    appointment_cancel,
    appointment_for_token,
    appointment_reschedule,
    appointment_token,
    free_slots,
    kinds_for_claim,
    portal_request,
    public_request,
)
from claimory.core import ratelimit
from claimory.core.clients import request_client_ip
from claimory.core.origin import base_host
from claimory.core.rate_window import FixedWindow
from claimory.photos.uploads import UploadRefused, upload_check
from claimory.portal.origin import is_cross_site
from claimory.portal.selectors import location_get_public
from claimory.portal.shop import shop_card
from claimory.portal.views import gate, portal_path
from claimory.shops.models import Location
from claimory.shops.services import location_timezone

LANGUAGES = dict(settings.LANGUAGES)
# New customers' requests per client address: enough for a family, not for a script.
REQUESTS_PER_HOUR = 5
_REQUESTS = FixedWindow("apptrequest", 3600)
# Tries at someone else's appointment link, counted like portal token misses.
DAYS_SHOWN = 7
# Each move texts/emails the customer on the shop's bill: a link is no SMS pump.
MOVES_PER_HOUR = 5
_MOVES = FixedWindow("apptmove", 3600)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    rules = Availability.objects.select_related("location").filter(
        calendar_token=token).first() if 20 <= len(token) <= 64 else None
    if rules is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendar_ics(rules.location, base_host()),
                            content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def same_site(view):
    """Customer posts carry no cookie (a token or a public form), so, like the portal's,
    they skip Django's CSRF check and refuse what another site sent instead (the pages'
    no-referrer policy makes our own posts say ``Origin: null``, which CSRF would refuse)."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and is_cross_site(request):
            return HttpResponseForbidden("Refused: send this from the shop's own page.\n",
                                         content_type="text/plain; charset=utf-8")
        return view(request, *args, **kwargs)

    return wrapper


def _language(request: HttpRequest, preferred: str = "") -> str:
    asked = request.GET.get("lang", "") or request.POST.get("lang", "")
    if asked in LANGUAGES:
        return asked
    if preferred in LANGUAGES:
        return preferred
    current = translation.get_language()
    return current if current in LANGUAGES else "en"


def _first_day(request: HttpRequest, location: Location) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        return None
    today = timezone.now().astimezone(location_timezone(location)).date()
    return day if today <= day <= today + dt.timedelta(days=400) else None


def _slots(location: Location, kind: str, request: HttpRequest, exclude: int | None = None):
    """Up to DAYS_SHOWN days with free slots, and the day to start "later dates" from."""
    first = _first_day(request, location)
    days = free_slots(location, kind, exclude=exclude, first_day=first, days=31)
    if exclude:  # the appointment's own time is no move
        current = Appointment.objects.filter(pk=exclude).values_list("start", flat=True).first()
        for day in days:
            day.slots = [s for s in day.slots if s.start != current]
        days = [day for day in days if day.slots]
    shown = days[:DAYS_SHOWN]
    later = shown[-1].day + dt.timedelta(days=1) if len(days) > DAYS_SHOWN else None
    return shown, later


def _render(request: HttpRequest, template: str, location: Location, language: str,
            context: dict, status: int = 200) -> HttpResponse:
    other = next(code for code in LANGUAGES if code != language)
    with translation.override(language), timezone.override(location_timezone(location)):
        response = render(request, template, {
            "shop": shop_card(location), "language": language,
            "switch_language": {"code": other, "label": LANGUAGES[other]}, **context,
        }, status=status)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _kind(request: HttpRequest, allowed: list[str]) -> str:
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    return kind if kind in allowed else (allowed[0] if allowed else "")


def _refusal(exc: BookingRefused) -> str:
    return _(exc.message)


# ---- /p/<slug>/appointment: a new customer -------------------------------------------------

def _photos(request: HttpRequest) -> tuple[list, str]:
    files = request.FILES.getlist("photos")
    if len(files) > MAX_PHOTOS:
        return [], _("Send at most %(n)d photos.") % {"n": MAX_PHOTOS}
    checked = []
    for upload in files:
        try:
            found = upload_check(upload)
        except UploadRefused as exc:
            return [], _("“%(name)s” was not sent: %(reason)s") % {
                "name": (upload.name or "")[:80], "reason": _(str(exc))}
        checked.append(found)
    return checked, ""


class _Named(bytes):
    """A checked photo's bytes with the name photo_receive keeps."""

    name = ""


@same_site
@require_http_methods(["GET", "HEAD", "POST"])
def public_request_view(request: HttpRequest, slug: str) -> HttpResponse:
    location = location_get_public(slug)
    if location is None:
        return render(request, "portal/shop_not_found.html", status=404)
    language = _language(request)
    kinds = list(Kind.values)
    kind = _kind(request, kinds)
    form, error, status = PublicRequestForm(initial={"kind": kind}), "", 200
    if request.method == "POST":
        wait = _REQUESTS.take(request_client_ip(request), REQUESTS_PER_HOUR)
        if wait is not None:
            response = _render(request, "appointments/too_many.html", location, language,
                               {"wait": max(1, wait // 60)}, status=429)
            response["Retry-After"] = str(wait)
            return response
        form = PublicRequestForm(request.POST)
        photos, error = _photos(request)
        status = 400
        if form.is_valid() and not error:
            data = form.cleaned_data
            kind = data["kind"]
            named = []
            for found in photos:
                blob = _Named(found.raw)
                blob.name = found.name
                named.append(blob)
            try:
                row = public_request(location=location, customer=NewCustomer(
                    name=data["name"], phone=data["phone"], email=data["email"],
                    year=data["year"], make=data["make"].strip(), model=data["model"].strip(),
                    sms_opt_in=data["sms_opt_in"],
                    email_opt_in=data["email_opt_in"] and bool(data["email"]),
                    language=language), kind=kind, start=data["start"],
                    note=data["note"].strip(), photos=tuple(named))
            except BookingRefused as exc:
                error, status = _refusal(exc), 409
            except UploadRefused as exc:
                error = str(exc)
            else:
                return redirect(f"/a/{appointment_token(row)}?new=1")
        elif form.is_valid():
            kind = form.cleaned_data["kind"]
        else:
            kind = _kind(request, kinds)
    days, later = _slots(location, kind, request)
    return _render(request, "appointments/request.html", location, language, {
        "form": form, "kinds": Kind.choices, "kind": kind, "days": days, "later": later,
        "error": error, "public": True, "max_photos": MAX_PHOTOS,
        "chosen": request.POST.get("start", ""),
    }, status=status)


# ---- /c/<token>/appointment: a customer with a claim --------------------------------------

@same_site
@require_http_methods(["GET", "HEAD", "POST"])
def portal_request_view(request: HttpRequest, token: str) -> HttpResponse:
    claim = gate(request, token)
    if isinstance(claim, HttpResponse):
        return claim
    location = claim.location
    language = _language(request, claim.customer.language)
    kinds = kinds_for_claim(claim)
    kind = _kind(request, kinds)
    form, error, status = SlotForm(initial={"kind": kind}), "", 200
    if request.method == "POST" and kinds:
        # Like the public form's limit: a portal link must not book out the calendar.
        wait = _REQUESTS.take(f"claim:{claim.pk}", REQUESTS_PER_HOUR)
        if wait is not None:
            response = _render(request, "appointments/too_many.html", location, language,
                               {"wait": max(1, wait // 60)}, status=429)
            response["Retry-After"] = str(wait)
            return response
        form = SlotForm(request.POST)
        status = 400
        if request.POST.get("kind") not in kinds:
            error = _("That kind of appointment can't be booked here.")
        elif form.is_valid():
            try:
                row = portal_request(claim=claim, kind=kind, start=form.cleaned_data["start"],
                                     note=form.cleaned_data["note"].strip())
            except BookingRefused as exc:
                error, status = _refusal(exc), 409
            else:
                return redirect(f"/a/{appointment_token(row)}?new=1")
    days, later = _slots(location, kind, request) if kinds else ([], None)
    allowed = [(value, label) for value, label in Kind.choices if value in kinds]
    return _render(request, "appointments/request.html", location, language, {
        "form": form, "kinds": allowed, "kind": kind, "days": days, "later": later,
        "error": error, "public": False, "portal_path": portal_path(token),
        "customer_name": claim.customer.name, "vehicle": str(claim.vehicle),
        "chosen": request.POST.get("start", ""),
    }, status=status)


# ---- /a/<token>: the customer's own appointment ------------------------------------------

def _appointment_or_404(request: HttpRequest, token: str) -> Appointment | HttpResponse:
    from claimory.portal.views import not_found, too_many

    wait = ratelimit.token_miss_wait(request_client_ip(request))
    if wait is not None:
        return too_many(request, wait)
    row = appointment_for_token(token)
    if row is None:
        return not_found(request)
    return row


def _customer_page(request: HttpRequest, row: Appointment, token: str, *, error: str = "",
                   status: int = 200, form: SlotForm | None = None) -> HttpResponse:
    language = _language(request, row.claim.customer.language if row.claim else "")
    days, later = _slots(row.location, row.kind, request, exclude=row.pk) \
        if row.active else ([], None)
    return _render(request, "appointments/customer.html", row.location, language, {
        "row": row, "token": token, "days": days, "later": later, "error": error,
        "form": form or SlotForm(), "new": "new" in request.GET,
        "moved": "moved" in request.GET, "portal_path": "",
    }, status=status)


@require_GET
def customer_view(request: HttpRequest, token: str) -> HttpResponse:
    row = _appointment_or_404(request, token)
    if isinstance(row, HttpResponse):
        return row
    return _customer_page(request, row, token)


@same_site
@require_POST
def customer_move(request: HttpRequest, token: str) -> HttpResponse:
    row = _appointment_or_404(request, token)
    if isinstance(row, HttpResponse):
        return row
    form = SlotForm(request.POST)
    if not form.is_valid():
        return _customer_page(request, row, token, form=form, status=400)
    wait = _MOVES.take(str(row.pk), MOVES_PER_HOUR)
    if wait is not None:
        response = _render(request, "appointments/too_many.html", row.location,
                           _language(request, row.claim.customer.language if row.claim else ""),
                           {"wait": max(1, wait // 60)}, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        appointment_reschedule(appointment=row, start=form.cleaned_data["start"],
                               by_customer=True)
    except BookingRefused as exc:
        return _customer_page(request, row, token, error=_refusal(exc), status=409, form=form)
    return redirect(f"/a/{token}?moved=1")


@same_site
@require_POST
def customer_cancel(request: HttpRequest, token: str) -> HttpResponse:
    row = _appointment_or_404(request, token)
    if isinstance(row, HttpResponse):
        return row
    appointment_cancel(appointment=row, reason=request.POST.get("reason", "")[:300],
                       by_customer=True)
    return redirect(f"/a/{token}")
