"""Messages on a claim (every channel) and the shop-side state of each claim's conversation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Channel, Claim, ClaimEvent
from claimory.core.models import BaseModel


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
