"""The texting simulator: the provider when no Telnyx key is set (the embedded default).

Sending "delivers" the text to the customer's simulated phone — what that phone received is
simply the location's deliveries to the number — and a Telnyx-shaped delivery receipt is
stored as a provider event. Replying as the customer stores a Telnyx-shaped
``message.received`` event. Both are processed by exactly the code that processes real
Telnyx webhooks (sms/events.py), so the demo runs the whole two-way loop.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from claimory.messaging.models import Delivery
from claimory.shops.models import Location
from claimory.sms.events import event_store
from claimory.sms.models import ProviderEvent
from claimory.sms.providers import Accepted, OutgoingText

PROVIDER = "simulator"


def _event(event_type: str, payload: dict[str, Any], event_id: str = "") -> str:
    return json.dumps({"data": {
        "record_type": "event", "id": event_id or str(uuid.uuid4()), "event_type": event_type,
        "occurred_at": timezone.now().isoformat(), "payload": payload}})


def accept(text: OutgoingText) -> Accepted:
    """Take an outgoing text; the phone 'receives' it and a receipt is queued."""
    # Derived from the idempotency key, like a provider that honours it: sending the same
    # delivery again gives the same message and the same (de-duplicated) receipt.
    message_id = f"sim-{uuid.uuid5(uuid.NAMESPACE_URL, text.idempotency_key)}"
    event_store(PROVIDER, _event("message.finalized", {
        "id": message_id, "direction": "outbound", "type": "SMS", "text": text.text,
        "from": {"phone_number": text.sender},
        "to": [{"phone_number": text.to, "status": "delivered"}]}, event_id=f"{message_id}-final"))
    return Accepted(provider_id=message_id)


def customer_reply(*, location: Location, from_number: str, text: str,
                   media: list[dict[str, Any]] | None = None) -> ProviderEvent:
    """The customer texts the shop's number from the simulated phone."""
    row, _ = event_store(PROVIDER, _event("message.received", {
        "id": f"sim-{uuid.uuid4()}", "direction": "inbound",
        "type": "MMS" if media else "SMS", "text": text,
        "from": {"phone_number": from_number},
        "to": [{"phone_number": location.sms_number, "status": "webhook_delivered"}],
        "media": media or [], "received_at": timezone.now().isoformat()}))
    return row


def phone_received(location: Location, phone: str) -> QuerySet[Delivery]:
    """What the simulated phone at ``phone`` got from this location, oldest first."""
    return (Delivery.objects.filter(location=location, to=phone, channel="sms")
            .filter(Q(state="sent") | Q(state="delivered"))
            .order_by("sent_at", "id"))
