"""Settings → Texting number (owners): the location's number, ordered here or entered."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claimory.backoffice.access import permission_view
from claimory.backoffice.forms.texting import NumberPickForm, NumberSearchForm, TextingNumberForm
from claimory.backoffice.views.settings import _pick_location
from claimory.core.origin import base_url
from claimory.core.phones import display_phone
from claimory.shops.models import Location
from claimory.shops.selectors import location_get_for_user, locations_for_user
from claimory.sms import numbers
from claimory.sms.providers import simulated

PERM = "texting.manage"


def _page_url(location: Location, anchor: str = "") -> str:
    url = f"{reverse('backoffice:settings_texting')}?location={location.slug}"
    return f"{url}#{anchor}" if anchor else url


def _search(request: HttpRequest, location: Location) -> tuple[NumberSearchForm, object]:
    if not any(request.GET.get(k) for k in ("area_code", "city")):
        return NumberSearchForm(), None
    form = NumberSearchForm(request.GET)
    if not form.is_valid():
        return form, None
    try:
        return form, numbers.numbers_available(location=location, actor=request.user,
                                               **form.cleaned_data)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return form, None


@permission_view(PERM)
def texting_settings(request: HttpRequest) -> HttpResponse:
    location = _pick_location(request)
    own = TextingNumberForm.for_location(location, request.POST or None)
    if request.method == "POST" and own.is_valid():
        try:
            numbers.texting_number_set(location=location, actor=request.user, **own.cleaned_data)
        except ValidationError as exc:
            own.add_service_errors(exc)
        else:
            messages.success(request, "Texting number saved.")
            return redirect(_page_url(location))
    search_form, search = _search(request, location)
    return render(request, "backoffice/settings_texting.html", {
        "location": location, "locations": list(locations_for_user(request.user)),
        "number": display_phone(location.sms_number), "own_form": own,
        "search_form": search_form, "search": search,
        "orders": numbers.number_orders_for_location(location)[:10],
        "simulated": simulated(), "webhook_url": f"{base_url()}/webhooks/telnyx",
    }, status=400 if own.is_bound and own.errors or search_form.errors else 200)


@permission_view(PERM)
@require_POST
def number_order_new(request: HttpRequest, location_slug: str) -> HttpResponse:
    location = location_get_for_user(request.user, location_slug)
    form = NumberPickForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a number from the search results.")
        return redirect(_page_url(location, "find"))
    try:
        order = numbers.number_order_place(location=location, actor=request.user,
                                           phone_number=form.cleaned_data["phone_number"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_page_url(location, "find"))
    messages.success(request, f"Ordering {display_phone(order.phone_number)}…")
    return redirect(_page_url(location, "orders"))


@permission_view(PERM)
@require_POST
def number_order_check(request: HttpRequest, order_id: int) -> HttpResponse:
    order = numbers.number_order_get_for_user(request.user, order_id)
    numbers.number_order_check_now(order=order, actor=request.user)
    return redirect(_page_url(order.location, "orders"))
