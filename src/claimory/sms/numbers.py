"""A location's texting number: search the provider's available numbers, order one (a
durable row polled until the order completes), or enter a number the shop already has.

Without ``TELNYX_API_KEY`` the search returns a clearly simulated list and an order
completes at once, so the demo shows the whole flow without buying anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from claimory.core import durable
from claimory.core.phones import normalize_phone
from claimory.shops.models import Location
from claimory.shops.permissions import authorize
from claimory.shops.selectors import locations_for_user
from claimory.shops.services import PROFILE_ID
from claimory.sms.models import NumberOrder, OrderState
from claimory.sms.providers import simulated
from claimory.sms.telnyx import AvailableNumber, TelnyxClient, TelnyxError

PERM = "texting.manage"
POLL_SECONDS = (3, 5, 10, 20, 30)  # between polls of a pending order


@dataclass(frozen=True)
class Search:
    numbers: list[AvailableNumber]
    simulated: bool
    error: str = ""


def numbers_available(*, location: Location, actor: Any, area_code: str = "", city: str = "",
                      region: str = "", limit: int = 10) -> Search:
    """Numbers that can text, near an area code or a city. Raises ValidationError for a
    search that says nothing (or an area code that is not three digits)."""
    authorize(actor, PERM, location)
    area_code, city, region = area_code.strip(), city.strip(), region.strip()
    if area_code and not re.fullmatch(r"[2-9]\d\d", area_code):
        raise ValidationError({"area_code": ["An area code is three digits, e.g. 512."]})
    if not area_code and not city:
        raise ValidationError("Enter an area code or a city.")
    if simulated():
        area = area_code or _home_area_code(location)
        return Search([AvailableNumber(f"+1{area}555{n:04d}", city or location.city,
                                       region or location.region, ("sms", "mms"))
                       for n in range(101, 106)], simulated=True)
    try:
        found = TelnyxClient.from_settings().available_numbers(
            area_code=area_code or None, locality=city or None, region=region or None,
            limit=limit)
    except TelnyxError as exc:
        return Search([], simulated=False, error=f"Telnyx did not answer the search: {exc.detail}")
    return Search(found, simulated=False)


def _home_area_code(location: Location) -> str:
    for number in (location.sms_number, location.phone):
        if number.startswith("+1") and len(number) == 12:
            return number[2:5]
    return "512"


def number_order_place(*, location: Location, phone_number: str, actor: Any) -> NumberOrder:
    """Order ``phone_number`` for ``location``; the worker places and polls the order and
    attaches the number when it completes."""
    authorize(actor, PERM, location)
    e164 = normalize_phone(phone_number)
    if not e164:
        raise ValidationError({"phone_number": ["Pick a number."]})
    if not simulated() and not location.messaging_profile_id:
        raise ValidationError(
            "Enter this location's Telnyx messaging profile id first: the number is attached "
            "to it (and opt-outs apply per profile).")
    busy = NumberOrder.objects.filter(location=location, phone_number=e164,
                                      state__in=[OrderState.PENDING, OrderState.CHECKING])
    if busy.exists():
        raise ValidationError({"phone_number": ["That number is already being ordered."]})
    with transaction.atomic():
        order = NumberOrder.objects.create(
            location=location, phone_number=e164,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None)
        durable.schedule(order)
    return order


def number_order_check_now(*, order: NumberOrder, actor: Any) -> None:
    """Poll a pending order now instead of at its next turn."""
    authorize(actor, PERM, order.location)
    if order.state == OrderState.PENDING:
        with transaction.atomic():
            durable.schedule(order)


def texting_number_set(*, location: Location, sms_number: str, messaging_profile_id: str,
                       actor: Any) -> Location:
    """A number the shop already has on its own Telnyx account, and its messaging profile."""
    authorize(actor, PERM, location)
    errors: dict[str, list[str]] = {}
    try:
        e164 = normalize_phone(sms_number, location.country or "US")
    except ValidationError as exc:
        errors["sms_number"] = exc.messages
    profile = messaging_profile_id.strip()
    if profile and not PROFILE_ID.fullmatch(profile):
        errors["messaging_profile_id"] = [
            "A messaging profile id is letters, digits and dashes, as Telnyx shows it."]
    if errors:
        raise ValidationError(errors)
    location.sms_number = e164
    location.messaging_profile_id = profile
    location.save(update_fields=["sms_number", "messaging_profile_id", "updated_at"])
    return location


def number_orders_for_location(location: Location):
    return NumberOrder.objects.filter(location=location).order_by("-created_at", "-id")


def number_order_get_for_user(user, order_id: int) -> NumberOrder:
    """The one gate to an order: 404 unless it belongs to a location the user works at."""
    order = (NumberOrder.objects.select_related("location")
             .filter(pk=order_id, location__in=locations_for_user(user)).first())
    if order is None:
        raise Http404("No such order")
    return order


def _attach(order: NumberOrder) -> None:
    """The order completed: the number becomes the location's texting number (only that)."""
    with transaction.atomic():
        location = Location.objects.select_for_update().get(pk=order.location_id)
        location.sms_number = order.phone_number
        location.save(update_fields=["sms_number", "updated_at"])
        durable.finish(order, OrderState.SUCCESS, completed_at=timezone.now(), last_error="")


@durable.handler(NumberOrder)
def number_order_work(order: NumberOrder) -> None:
    """Place the order (once: its provider id is stored before anything else happens), then
    poll it; pending → ask again later (durable.retry), success → attach the number."""
    if simulated():
        _attach(order)
        return
    client = TelnyxClient.from_settings()
    try:
        if not order.provider_order_id:
            placed = client.number_order_create(order.phone_number,
                                                order.location.messaging_profile_id)
            order.provider_order_id = placed.id
            order.save(update_fields=["provider_order_id", "updated_at"])
        else:
            placed = client.number_order_get(order.provider_order_id)
    except TelnyxError as exc:
        if exc.retryable:
            durable.retry(order, exc.detail, after=exc.retry_after)
        else:
            durable.finish(order, OrderState.FAILED, last_error=exc.detail[:300],
                           completed_at=timezone.now())
        return
    if placed.status == "success":
        _attach(order)
    elif placed.status == "failure":
        durable.finish(order, OrderState.FAILED, completed_at=timezone.now(),
                       last_error="Telnyx could not complete the order; pick another number.")
    else:
        wait = POLL_SECONDS[min(order.attempts - 1, len(POLL_SECONDS) - 1)]
        durable.retry(order, f"Telnyx says the order is {placed.status}", after=wait)


@durable.when_given_up(NumberOrder)
def number_order_given_up(order: NumberOrder, error: str) -> None:
    durable.finish(order, OrderState.FAILED, last_error=f"Gave up checking: {error}"[:300],
                   completed_at=timezone.now())
