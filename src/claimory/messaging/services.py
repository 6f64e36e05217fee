"""Writing messages and conversation state. Each message is a timeline event and a Message row."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claimory.claims.events import actor_label_for, event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.core.text import has_visible_text
from claimory.messaging.models import Conversation, Direction, Message, Status
from claimory.messaging.outbox import deliveries_queue
from claimory.notifications.models import Trigger
from claimory.notifications.selectors import rule_enabled
from claimory.shops.permissions import authorize, role_can

MAX_BODY = 2000
# Control characters other than newline and tab have no place in a text message.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_body(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValidationError({"body": ["Write a message as plain text."]})
    body = _CONTROL.sub("", raw.replace("\r\n", "\n")).strip()
    if not has_visible_text(body):
        raise ValidationError({"body": ["Write a message first."]})
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": [f"Keep messages under {MAX_BODY:,} characters (this one has {len(body):,})."]}
        )
    return body


def _conversation(claim: Claim) -> Conversation:
    conversation, _ = Conversation.objects.select_for_update().get_or_create(claim=claim)
    return conversation


def _thread_changed(claim: Claim, action: str, *, actor: Any = None, actor_label: str = "",
                    channel: str = Channel.STAFF, **data: Any) -> None:
    """Record a change of the shop's side of the thread as a staff-only timeline event: open
    inboxes and claim pages learn of it from the one event table (never the portal)."""
    event_record(claim=claim, type=EventType.CONVERSATION, actor=actor, actor_label=actor_label,
                 channel=channel, data={"action": action, **data})


@transaction.atomic
def message_receive(*, claim: Claim, body: Any, channel: str = Channel.PORTAL,
                    provider_id: str = "", needs_answer: bool = True) -> Message:
    """A customer's message lands on the claim and puts the thread in the shop's inbox.

    ``needs_answer=False`` (a STOP, START or HELP text the system already answered) records
    it unread without putting the thread in the waiting list."""
    text = clean_body(body)
    sender = (claim.customer.name.split() or ["Customer"])[0]
    message = Message.objects.create(claim=claim, direction=Direction.INBOUND, channel=channel,
                                     body=text, sender_label=claim.customer.name,
                                     status=Status.RECEIVED, provider_id=provider_id)
    message.event = event_record(
        claim=claim, type=EventType.MESSAGE, channel=channel, customer_visible=True,
        actor_label=claim.customer.name,
        data={"message_id": message.pk, "body": text, "direction": "in", "sender": sender},
    )
    message.save(update_fields=["event", "updated_at"])
    now = timezone.now()
    conversation = _conversation(claim)
    if needs_answer:
        conversation.waiting_since = conversation.waiting_since or now
        conversation.done_at = None
    conversation.unread_count += 1
    conversation.last_message_at = now
    conversation.last_inbound_preview = text[:160]
    conversation.save()
    return message


@transaction.atomic
def message_send(*, claim: Claim, body: Any, actor: Any = None, actor_label: str = "",
                 channel: str = Channel.STAFF) -> Message:
    """The shop's reply: shown on the portal at once, and queued as a text (and an email
    once the mail hub lands) for a customer who opted in; answering clears the inbox wait."""
    authorize(actor, "message.send", claim.location)
    text = clean_body(body)
    label = actor_label or actor_label_for(actor) or claim.location.name
    first_name = getattr(actor, "first_name", "") or label.split()[0]
    message = Message.objects.create(
        claim=claim, direction=Direction.OUTBOUND, channel=Channel.PORTAL, body=text,
        sender=actor if getattr(actor, "is_authenticated", False) else None,
        sender_label=label, status=Status.SENT)
    message.event = event_record(
        claim=claim, type=EventType.MESSAGE, channel=channel, actor=actor, actor_label=label,
        customer_visible=True,
        data={"message_id": message.pk, "body": text, "direction": "out", "sender": first_name},
    )
    message.save(update_fields=["event", "updated_at"])
    if rule_enabled(claim.location, Trigger.SHOP_MESSAGE):  # off: the portal only
        deliveries_queue(message)
    conversation = _conversation(claim)
    conversation.waiting_since = None
    conversation.unread_count = 0
    conversation.last_message_at = timezone.now()
    conversation.save()
    return message


@transaction.atomic
def message_reply(*, claim: Claim, body: Any, actor: Any) -> Message:
    """A teammate answers from the back office: the reply goes out and the thread is read."""
    message = message_send(claim=claim, body=body, actor=actor)
    conversation_mark_read(claim=claim, actor=actor)
    return message


@transaction.atomic
def conversation_mark_read(*, claim: Claim, actor: Any = None) -> bool:
    """Staff have seen the thread: no unread count, and the customer's messages show "Seen".

    Records an event only when something was unread, so a page that reports "on screen"
    again and again writes nothing new. Returns whether anything changed.
    """
    authorize(actor, "inbox.triage", claim.location)
    now = timezone.now()
    unread = Conversation.objects.filter(claim=claim, unread_count__gt=0).update(
        unread_count=0, updated_at=now)
    read = Message.objects.filter(claim=claim, direction=Direction.INBOUND,
                                  status=Status.RECEIVED).update(status=Status.READ,
                                                                 updated_at=now)
    if unread or read:
        _thread_changed(claim, "read", actor=actor)
    return bool(unread or read)


@transaction.atomic
def conversation_mark_done(*, claim: Claim, actor: Any) -> None:
    """Close the thread without replying (e.g. the customer said thanks)."""
    authorize(actor, "inbox.triage", claim.location)
    conversation = _conversation(claim)
    conversation.done_at = timezone.now()
    conversation.waiting_since = None
    conversation.unread_count = 0
    conversation.save()
    _thread_changed(claim, "done", actor=actor)


@transaction.atomic
def conversation_assign(*, claim: Claim, assignee: Any, actor: Any = None) -> None:
    """Give the thread to a teammate who works at the claim's location (or nobody)."""
    from claimory.shops.selectors import locations_for_user, membership_for_user

    authorize(actor, "inbox.assign", claim.location)
    if assignee is not None and not locations_for_user(assignee).filter(
            pk=claim.location_id).exists():
        raise ValidationError({"assignee": ["That person does not work at this location."]})
    if assignee is not None and not role_can(membership_for_user(assignee).role,
                                             "message.send"):
        # The thread would sit with someone who cannot answer it.
        raise ValidationError({"assignee": ["That person's role can't message customers; "
                                            "assign someone who can."]})
    conversation = _conversation(claim)
    if conversation.assigned_to_id == (assignee.pk if assignee is not None else None):
        return
    conversation.assigned_to = assignee
    conversation.save()
    _thread_changed(claim, "assigned", actor=actor,
                    assignee_id=assignee.pk if assignee is not None else None,
                    assignee_name=actor_label_for(assignee))


@transaction.atomic
def message_customer_seen(*, claim: Claim, up_to_message_id: int) -> int:
    """The portal showed the shop's messages up to this id: mark them seen."""
    now = timezone.now()
    seen = Message.objects.filter(
        claim=claim, direction=Direction.OUTBOUND, channel=Channel.PORTAL,
        pk__lte=up_to_message_id, status__in=[Status.SENT, Status.DELIVERED],
    ).update(status=Status.READ, updated_at=now)
    if seen:
        # Open staff pages show "Seen" once this (staff-only) event reaches them.
        _thread_changed(claim, "seen", channel=Channel.PORTAL,
                        actor_label=claim.customer.name, message_id=up_to_message_id)
    return seen
