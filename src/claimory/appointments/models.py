"""Appointments a customer (or the shop's systems) book: estimate, drop-off, pickup.

Capacity is enforced by seats: a slot of a kind has ``capacity`` seats, numbered from 0, and
an active booking holds one (unique per location, kind, start and seat). A day of a kind with
a daily cap has that many *day seats* too (unique per location, kind, day and day seat). Two
requests racing for the last place both try to insert the same seat; the database lets
exactly one through.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Claim
from claimory.core.durable import Durable
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
    location's business hours; ``closed_dates`` are holidays (ISO dates)."""

    location = models.OneToOneField(Location, on_delete=models.CASCADE,
                                    related_name="availability")
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    estimate_capacity = models.PositiveSmallIntegerField(default=1)
    drop_off_capacity = models.PositiveSmallIntegerField(default=2)
    pickup_capacity = models.PositiveSmallIntegerField(default=2)
    # Per day and kind; 0 = no daily limit (only the per-slot capacity).
    estimate_day_capacity = models.PositiveSmallIntegerField(default=0)
    drop_off_day_capacity = models.PositiveSmallIntegerField(default=0)
    pickup_day_capacity = models.PositiveSmallIntegerField(default=0)
    lead_minutes = models.PositiveIntegerField(default=120, help_text="Earliest booking ahead")
    window_days = models.PositiveSmallIntegerField(default=60, help_text="Latest booking ahead")
    auto_confirm = models.BooleanField(default=False)
    closed_dates = models.JSONField(default=list, blank=True,
                                    help_text="Holidays: ISO dates the shop takes no bookings")
    calendar_token = models.CharField(max_length=64, unique=True, default=calendar_secret,
                                      help_text="Secret of the iCalendar feed URL")

    def __str__(self) -> str:
        return f"Availability of {self.location_id}"

    def capacity(self, kind: str) -> int:
        return int(getattr(self, f"{kind}_capacity"))

    def day_capacity(self, kind: str) -> int:
        return int(getattr(self, f"{kind}_day_capacity"))


class Appointment(BaseModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE,
                                 related_name="appointments")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="appointments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    seat = models.PositiveSmallIntegerField()
    # The local day (shop's zone) and its day seat, when the kind has a daily cap.
    day = models.DateField(null=True, blank=True)
    day_seat = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    customer_name = models.CharField(max_length=120)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    vehicle = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, default="api")
    # RFC 5545 SEQUENCE of the customer's .ics: bumped on every reschedule or cancel.
    sequence = models.PositiveIntegerField(default=0)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # The customer's link (/a/<token>): only its SHA-256 at rest, like the portal token.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_salt = models.CharField(max_length=32, blank=True)

    class Meta(BaseModel.Meta):
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "kind", "start", "seat"], condition=Q(status__in=ACTIVE),
                name="one_booking_per_seat"),
            models.UniqueConstraint(
                fields=["location", "kind", "day", "day_seat"],
                condition=Q(status__in=ACTIVE, day_seat__isnull=False),
                name="one_booking_per_day_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


class ReminderState(models.TextChoices):
    PENDING = "pending", _("Pending")
    WORKING = "working", _("Working")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class AppointmentReminder(BaseModel, Durable):
    """The day-before reminder: due 24 h before ``start``. It is sent only if the appointment
    is still confirmed at that very time (a cancel or reschedule makes it skip; the
    reschedule writes a new reminder)."""

    PENDING = (ReminderState.PENDING,)
    WORKING = ReminderState.WORKING
    RELATED = ("appointment", "appointment__claim")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE,
                                    related_name="reminders")
    start = models.DateTimeField(help_text="The appointment time this reminder is for")
    state = models.CharField(max_length=10, choices=ReminderState.choices,
                             default=ReminderState.PENDING, db_index=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta(BaseModel.Meta):
        ordering = ["start", "id"]
        constraints = [models.UniqueConstraint(fields=["appointment", "start"],
                                               name="one_reminder_per_time")]

    def __str__(self) -> str:
        return f"Reminder for {self.appointment_id} at {self.start:%Y-%m-%d %H:%M}"
