"""What the simulated phone shows: the texts a customer's number got from the location and
the replies typed on it (simulator mode only: no Telnyx key)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import QuerySet

from claimory.claims.models import Customer
from claimory.shops.models import Location
from claimory.sms import simulator
from claimory.sms.models import ProviderEvent
from claimory.sms.providers import simulated

PHONE_LIMIT = 50


@dataclass(frozen=True)
class PhoneText:
    received: bool  # True: the phone got it from the shop; False: typed on the phone
    body: str
    at: dt.datetime
    state: str = ""


def _typed_on(location: Location, phone: str) -> list[PhoneText]:
    rows = (ProviderEvent.objects.filter(provider=simulator.PROVIDER,
                                         event_type="message.received", raw__contains=phone)
            .order_by("-created_at", "-id")[:PHONE_LIMIT])
    texts = []
    for row in rows:
        payload = json.loads(row.raw).get("data", {}).get("payload", {})
        sender = (payload.get("from") or {}).get("phone_number")
        to = [r.get("phone_number") for r in payload.get("to") or [] if isinstance(r, dict)]
        if sender == phone and location.sms_number in to:
            texts.append(PhoneText(False, str(payload.get("text", "")),
                                   row.occurred_at or row.created_at))
    return texts


def phone_texts(location: Location, phone: str) -> list[PhoneText]:
    """Both sides of the phone's conversation with the location, oldest first."""
    received = [PhoneText(True, d.body, d.sent_at or d.created_at, d.state)
                for d in simulator.phone_received(location, phone)]
    texts = sorted(received[-PHONE_LIMIT:] + _typed_on(location, phone), key=lambda t: t.at)
    return texts[-PHONE_LIMIT:]


def simulated_numbers(locations: QuerySet[Location]) -> list[Customer]:
    """Customers with a phone at these locations, for the standalone simulator's picker."""
    return list(Customer.objects.filter(location__in=locations).exclude(phone="")
                .select_related("location").order_by("location__name", "name", "id")[:500])


def sim_phone(customer: Customer | None, location: Location | None = None) -> dict | None:
    """The phone panel's context; None when not simulating or there is no number to show.
    ``location``: the customer's, when the caller already has it loaded."""
    if customer is None or not customer.phone or not simulated():
        return None
    location = location or customer.location
    return {"customer": customer, "location": location,
            "texts": phone_texts(location, customer.phone)}
