"""The claim's message thread as staff see it: who wrote, through which channel, and its state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from claimory.claims.models import Channel, Claim
from claimory.messaging.models import (
    Conversation,
    Delivery,
    DeliveryState,
    Direction,
    Message,
    Status,
)
from claimory.messaging.selectors import conversation_for_claim, messages_for_staff

THREAD_LIMIT = 200

# What the front desk needs to know about a message the shop sent.
_OUT_STATES = {
    Status.QUEUED: "Sending",
    Status.SENDING: "Sending",
    Status.SENT: "Sent",
    Status.DELIVERED: "Delivered",
    Status.READ: "Seen",
    Status.FAILED: "Not delivered",
}


@dataclass(frozen=True)
class Bubble:
    id: int
    inbound: bool
    body: str
    at: dt.datetime
    sender: str
    via: str  # "Portal", "SMS", "Email", "API"
    state: str  # shop messages only: the Status value
    state_label: str
    error: str
    # Its copies on outside channels: [("SMS", "Delivered", "delivered", "")…]
    copies: tuple[tuple[str, str, str, str], ...] = ()


def _via(message: Message) -> str:
    # A reply posted through the API is still shown on the portal; staff want to know its source.
    event = message.event
    if message.direction == Direction.OUTBOUND and event and event.channel == Channel.API:
        return "API"
    return message.get_channel_display()


def _copy_label(delivery: Delivery) -> tuple[str, str, str, str]:
    """How staff read one outside copy: channel, state, state slug, why (failed/not sent/held)."""
    channel = "Text" if delivery.channel == Channel.SMS else delivery.get_channel_display()
    state = delivery.state
    detail = delivery.error_detail
    label = delivery.get_state_display()
    if state == DeliveryState.QUEUED and delivery.due_at and delivery.due_at > timezone.now():
        local = timezone.localtime(delivery.due_at, ZoneInfo(delivery.location.timezone))
        label, state = "Held", "held"
        detail = f"Quiet hours: goes out {local:%a} {local:%-I:%M %p}"
    elif state == DeliveryState.QUEUED and delivery.last_error:
        detail = f"Retrying: {delivery.last_error}"
    return channel, label, state, detail


def bubble_of(message: Message) -> Bubble:
    inbound = message.direction == Direction.INBOUND
    sender = message.sender_label or (message.sender.get_full_name() if message.sender else "")
    return Bubble(
        id=message.pk, inbound=inbound, body=message.body, at=message.created_at,
        sender=sender or ("Customer" if inbound else "Shop"), via=_via(message),
        state="" if inbound else message.status,
        state_label="" if inbound else _OUT_STATES.get(message.status, message.status),
        error=message.error,
        copies=tuple(_copy_label(d) for d in message.deliveries.all()),
    )


@dataclass(frozen=True)
class StaffThread:
    bubbles: list[Bubble]
    conversation: Conversation | None
    truncated: bool

    @property
    def waiting(self) -> bool:
        return self.conversation is not None and self.conversation.is_waiting

    @property
    def unread(self) -> int:
        return self.conversation.unread_count if self.conversation else 0


def staff_thread(claim: Claim) -> StaffThread:
    """The newest messages oldest first, and the inbox state (two queries)."""
    messages = messages_for_staff(claim, limit=THREAD_LIMIT + 1)
    truncated = len(messages) > THREAD_LIMIT
    return StaffThread(
        bubbles=[bubble_of(m) for m in messages[-THREAD_LIMIT:]],
        conversation=conversation_for_claim(claim),
        truncated=truncated,
    )
