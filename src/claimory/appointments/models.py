"""Appointments a customer (or the shop's systems) book: estimate, drop-off, pickup.

Capacity is enforced by seats: a slot of a kind has ``capacity`` seats, numbered from 0, and
an active booking holds one (unique per location, kind, start and seat). Two requests racing
for the last seat both try to insert it; the database lets exactly one through.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Claim
from claimory.core.models import BaseModel
from claimory.shops.models import Location


class Kind(models.TextChoices):
    ESTIMATE = "estimate", _("Estimate")
    DROP_OFF = "drop_off", _("Drop-off")
    PICKUP = "pickup", _("Pickup")


class Status(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE = (Status.REQUESTED, Status.CONFIRMED)


def calendar_secret() -> str:
    return secrets.token_urlsafe(24)


class Availability(BaseModel):
    """A location's booking rules (made with defaults on first use). Open hours are the
    location's business hours."""

    location = models.OneToOneField(Location, on_delete=models.CASCADE,
                                    related_name="availability")
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    estimate_capacity = models.PositiveSmallIntegerField(default=1)
    drop_off_capacity = models.PositiveSmallIntegerField(default=2)
    pickup_capacity = models.PositiveSmallIntegerField(default=2)
    lead_minutes = models.PositiveIntegerField(default=120, help_text="Earliest booking ahead")
    window_days = models.PositiveSmallIntegerField(default=60, help_text="Latest booking ahead")
    auto_confirm = models.BooleanField(default=False)
    calendar_token = models.CharField(max_length=64, unique=True, default=calendar_secret,
                                      help_text="Secret of the iCalendar feed URL")

    def __str__(self) -> str:
        return f"Availability of {self.location_id}"

    def capacity(self, kind: str) -> int:
        return int(getattr(self, f"{kind}_capacity"))


class Appointment(BaseModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE,
                                 related_name="appointments")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="appointments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    seat = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    customer_name = models.CharField(max_length=120)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    source = models.CharField(max_length=10, default="api")

    class Meta(BaseModel.Meta):
        ordering = ["start", "id"]
        constraints = [models.UniqueConstraint(
            fields=["location", "kind", "start", "seat"], condition=Q(status__in=ACTIVE),
            name="one_booking_per_seat")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M} ({self.status})"
