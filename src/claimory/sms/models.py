"""Texting: consent per number per location, provider events as received, texts no claim
could take, and phone-number orders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Claim
from claimory.core.durable import Durable
from claimory.core.models import BaseModel
from claimory.shops.models import Location


class Consent(models.TextChoices):
    OPTED_IN = "in", _("Opted in")
    OPTED_OUT = "out", _("Opted out")


class ConsentMethod(models.TextChoices):
    INTAKE = "intake", _("Intake form")
    API = "api", _("API")
    STAFF_EDIT = "staff", _("Edited by staff")
    KEYWORD = "keyword", _("Keyword text (STOP, START…)")
    REPLY = "reply", _("Asked in a text")
    CARRIER = "carrier", _("Carrier refused the send")


class ConsentRecord(BaseModel):
    """Append-only ledger of consent to texts, per number per location: who, when, how.

    The newest row for (location, phone) is the number's state. Opt-outs bind every claim of
    that number at that location (Telnyx applies STOP per messaging profile, i.e. location).
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=20, help_text="E.164")
    status = models.CharField(max_length=3, choices=Consent.choices)
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    evidence = models.CharField(max_length=300, blank=True,
                                help_text="The text that did it, or the form/API call")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_by_label = models.CharField(max_length=120, blank=True)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    class Meta(BaseModel.Meta):
        ordering = ["location_id", "phone", "-created_at", "-id"]
        indexes = [models.Index(fields=["location", "phone", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.phone} {self.status} ({self.method})"


class EventState(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSING = "processing", _("Processing")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")


class ProviderEvent(BaseModel, Durable):
    """A provider callback exactly as it arrived (webhook or simulator), stored before any
    processing so the 2-second answer never waits on it; processed by the worker.

    One row per provider event id: a repeated delivery is recorded once.
    """

    PENDING = (EventState.RECEIVED,)
    WORKING = EventState.PROCESSING

    provider = models.CharField(max_length=20, default="telnyx")
    event_id = models.CharField(max_length=120)
    event_type = models.CharField(max_length=60)
    occurred_at = models.DateTimeField(null=True, blank=True)
    raw = models.TextField(help_text="The request body, byte for byte (UTF-8)")
    state = models.CharField(max_length=12, choices=EventState.choices,
                             default=EventState.RECEIVED, db_index=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta(BaseModel.Meta):
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"],
                                               name="one_row_per_provider_event")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"


class UnmatchedText(BaseModel):
    """An inbound text that no single open claim at the location could take (no claim for
    that number, or several): waits in the inbox until staff attach it to a claim."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    from_number = models.CharField(max_length=20)
    to_number = models.CharField(max_length=20, blank=True)
    body = models.TextField(blank=True)
    media = models.JSONField(default=list, blank=True,
                             help_text="Stored copies of MMS media: [{path, content_type}]")
    provider_message_id = models.CharField(max_length=120, blank=True)
    candidates = models.JSONField(default=list, blank=True, help_text="Claim ids that matched")
    received_at = models.DateTimeField()
    attached_claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    attached_at = models.DateTimeField(null=True, blank=True)
    # Set aside by staff without filing it (spam, a wrong number): kept, no longer listed.
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta(BaseModel.Meta):
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"Unmatched text from {self.from_number}"


class OrderState(models.TextChoices):
    PENDING = "pending", _("Ordering")
    CHECKING = "checking", _("Checking")
    SUCCESS = "success", _("Active")
    FAILED = "failure", _("Failed")


class NumberOrder(BaseModel, Durable):
    """A phone number the owner picked for a location: ordered from the provider and polled
    until the order completes, then attached as the location's texting number."""

    PENDING = (OrderState.PENDING,)
    WORKING = OrderState.CHECKING
    MAX_ATTEMPTS = 40  # each poll of a pending order is an attempt (sms/numbers.py)

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    phone_number = models.CharField(max_length=20)
    provider_order_id = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=10, choices=OrderState.choices,
                             default=OrderState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.phone_number} for {self.location}: {self.state}"
