"""Messages on a claim (every channel) and the shop-side state of each claim's conversation."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Channel, Claim, ClaimEvent
from claimory.core.durable import Durable
from claimory.core.models import BaseModel
from claimory.shops.models import Location


class Direction(models.TextChoices):
    INBOUND = "in", _("From customer")
    OUTBOUND = "out", _("To customer")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Seen")
    FAILED = "failed", _("Failed")


class Message(BaseModel):
    """One message in or out. The timeline event is the record; this row tracks delivery."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="messages")
    event = models.OneToOneField(ClaimEvent, on_delete=models.CASCADE, related_name="message",
                                 null=True, blank=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    body = models.TextField()
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    sender_label = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    provider_id = models.CharField(max_length=120, blank=True, db_index=True)
    error = models.CharField(max_length=300, blank=True)
    # Written by the shop's automation (a notification template), not typed by a person.
    automated = models.BooleanField(default=False)
    # Small text files the email copy carries (an appointment's .ics): [{name, type, text}].
    email_files = models.JSONField(default=list, blank=True)

    class Meta(BaseModel.Meta):
        ordering = ["claim_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.body[:40]}"


class Conversation(BaseModel):
    """Where the shop stands with a claim's thread: waiting, unread, assigned, done."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="conversation")
    waiting_since = models.DateTimeField(null=True, blank=True, db_index=True,
                                         help_text="First customer message not yet answered")
    unread_count = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_inbound_preview = models.CharField(max_length=160, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="assigned_threads")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta(BaseModel.Meta):
        ordering = ["waiting_since", "id"]

    def __str__(self) -> str:
        return f"Thread of {self.claim}"

    @property
    def is_waiting(self) -> bool:
        return self.waiting_since is not None and self.done_at is None


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    # Never handed to a provider: the customer opted out, or withdrew consent, meanwhile.
    NOT_SENT = "not_sent", _("Not sent")


class Delivery(BaseModel, Durable):
    """One message on one outside channel (SMS now, email later): the outbox row.

    queued → sending → sent → delivered | failed (or not_sent). The row is written with the
    message; ``messaging/outbox.py`` sends it from the worker with ``idempotency_key`` as the
    provider's idempotency key, so a retry after a crash never sends twice; provider
    callbacks move it on (ordered by their ``occurred_at``, see ``status_at``).
    """

    PENDING = (DeliveryState.QUEUED,)
    WORKING = DeliveryState.SENDING
    RELATED = ("message", "location", "claim__customer", "claim__location")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="deliveries")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    to = models.CharField(max_length=254)
    sender = models.CharField(max_length=254, blank=True, help_text="Our number or address")
    body = models.TextField(help_text="Exactly what was (or will be) sent")
    media_urls = models.JSONField(default=list, blank=True)
    automated = models.BooleanField(default=False, help_text="Held in quiet hours")
    state = models.CharField(max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.QUEUED, db_index=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider_id = models.CharField(max_length=120, blank=True, db_index=True)
    # When the provider's latest applied status happened: an older callback arriving late
    # never rolls the state back.
    status_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=20, blank=True)
    error_detail = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(BaseModel.Meta):
        ordering = ["claim_id", "created_at", "id"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["message", "channel"],
                                               name="one_delivery_per_channel")]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to}: {self.state}"
