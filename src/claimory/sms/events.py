"""Provider events (Telnyx webhooks and the simulator's): stored as they arrived, then
processed by the worker.

``event_store`` runs in the webhook request after the signature check: it parses just the
envelope, stores the raw body once per event id, and schedules processing, so the answer
goes back within Telnyx's 2 seconds. ``event_process`` (worker) applies it: delivery
receipts move the outbox row, inbound texts go to sms/inbound.py. Receipts are applied in
``occurred_at`` order, so one that arrives late never rolls a delivery back.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from claimory.core import durable
from claimory.messaging.models import Delivery, DeliveryState
from claimory.sms.models import EventState, ProviderEvent

# Telnyx per-recipient status -> our delivery state. "sending"/"queued" add nothing.
_TELNYX_STATES = {
    "sent": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "delivery_failed": DeliveryState.FAILED,
    "sending_failed": DeliveryState.FAILED,
    "expired": DeliveryState.FAILED,
    "delivery_unconfirmed": DeliveryState.SENT,
}
# Later states win; equal rank and older occurred_at never overwrite.
_RANK = {DeliveryState.QUEUED: 0, DeliveryState.SENDING: 1, DeliveryState.SENT: 2,
         DeliveryState.DELIVERED: 3, DeliveryState.FAILED: 3, DeliveryState.NOT_SENT: 3}
RECEIPT_WAIT_ATTEMPTS = 6  # a receipt may beat the send's own bookkeeping; wait for it


class BadEvent(ValueError):
    """The body is not a provider event we can store (bad JSON, no id or type)."""


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    occurred_at: dt.datetime | None
    payload: dict[str, Any]


def timestamp_parse(value: Any) -> dt.datetime | None:
    """An ISO 8601 time from a provider body, always aware (UTC when it carries no zone);
    None for anything else, including impossible dates like 2026-02-30."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def envelope_parse(raw: str) -> Envelope:
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise BadEvent("The body is not JSON.") from exc
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise BadEvent("Expected a JSON object with a `data` object.")
    event_id, event_type = data.get("id"), data.get("event_type")
    if not isinstance(event_id, str) or not event_id or len(event_id) > 120:
        raise BadEvent("`data.id` (the event id) is missing.")
    if not isinstance(event_type, str) or not event_type or len(event_type) > 60:
        raise BadEvent("`data.event_type` is missing.")
    occurred_at = timestamp_parse(data.get("occurred_at"))
    payload = data.get("payload")
    return Envelope(event_id, event_type, occurred_at, payload if isinstance(payload, dict)
                    else {})


def event_store(provider: str, raw: str) -> tuple[ProviderEvent, bool]:
    """Store one event (once per provider event id) and queue its processing.
    Returns (row, created). Raises BadEvent for a body that is not an event."""
    envelope = envelope_parse(raw)
    existing = ProviderEvent.objects.filter(provider=provider, event_id=envelope.event_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = ProviderEvent.objects.create(
                provider=provider, event_id=envelope.event_id, event_type=envelope.event_type,
                occurred_at=envelope.occurred_at, raw=raw)
            durable.schedule(row)
    except IntegrityError:  # the same event, delivered twice at once
        return ProviderEvent.objects.get(provider=provider, event_id=envelope.event_id), False
    return row, True


@durable.handler(ProviderEvent)
def event_process(row: ProviderEvent) -> None:
    envelope = envelope_parse(row.raw)
    if envelope.event_type in ("message.sent", "message.finalized"):
        outcome = receipt_apply(envelope, row)
    elif envelope.event_type == "message.received":
        from claimory.sms.inbound import inbound_receive

        outcome = inbound_receive(envelope.payload, provider=row.provider) or "received"
    else:
        outcome = f"ignored {envelope.event_type}"
    if outcome == "wait":
        return
    durable.finish(row, EventState.PROCESSED, outcome=outcome[:200])


def receipt_apply(envelope: Envelope, row: ProviderEvent) -> str:
    """Move the delivery the receipt is about. Returns the outcome, or "wait" when the
    delivery has not recorded its provider id yet (the send is still finishing)."""
    payload = envelope.payload
    provider_id = payload.get("id")
    if not isinstance(provider_id, str) or not provider_id:
        return "receipt without a message id"
    recipients = payload.get("to") if isinstance(payload.get("to"), list) else []
    status = next((r.get("status") for r in recipients if isinstance(r, dict)), None)
    state = _TELNYX_STATES.get(status) if isinstance(status, str) else None
    if state is None:
        return f"status {status!r} changes nothing"
    occurred_at = envelope.occurred_at or row.created_at
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update()
                    .filter(provider_id=provider_id).first())
        if delivery is None:
            if row.attempts < RECEIPT_WAIT_ATTEMPTS:
                durable.retry(row, "delivery not recorded yet", after=2 * row.attempts)
                return "wait"
            return "no delivery with that message id"
        if delivery.status_at and occurred_at <= delivery.status_at:
            return "older than the delivery's state: ignored"
        if _RANK[state] < _RANK.get(delivery.state, 0):
            # A late "sent" after "delivered": remember the time, keep the state.
            return "earlier state than the delivery's: ignored"
        reason = _failure_reason(payload) if state == DeliveryState.FAILED else ""
        changed = state != delivery.state
        delivery.state = state
        delivery.status_at = occurred_at
        fields = ["state", "status_at", "updated_at"]
        if state in (DeliveryState.DELIVERED, DeliveryState.FAILED):
            delivery.finished_at = timezone.now()
            fields.append("finished_at")
        if reason:
            delivery.error_detail = reason[:300]
            delivery.error_code = _failure_code(payload)[:20]
            fields += ["error_detail", "error_code"]
        delivery.save(update_fields=fields)
        if changed:
            from claimory.messaging.outbox import delivery_event

            delivery_event(delivery, state, reason)
    return f"delivery {delivery.pk} {state}"


def _errors(payload: dict[str, Any]) -> list[dict[str, Any]]:
    errors = payload.get("errors")
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def _failure_reason(payload: dict[str, Any]) -> str:
    for error in _errors(payload):
        text = " — ".join(str(error[k]) for k in ("title", "detail") if error.get(k))
        if text:
            return text
    return "The carrier could not deliver the text."


def _failure_code(payload: dict[str, Any]) -> str:
    return next((str(e.get("code")) for e in _errors(payload) if e.get("code")), "")
