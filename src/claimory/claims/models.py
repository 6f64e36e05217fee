"""The claim record: customer, vehicle, claim and its append-only event timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from claimory.claims import event_types
from claimory.core.models import BaseModel
from claimory.shops.models import Location, Stage


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class Customer(BaseModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=20, blank=True, db_index=True, help_text="E.164")
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    sms_opt_in = models.BooleanField(default=False)
    email_opt_in = models.BooleanField(default=False)
    sms_opt_in_at = models.DateTimeField(null=True, blank=True)
    email_opt_in_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Vehicle(BaseModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="vehicles")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    make = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=60, blank=True)
    vin = models.CharField(max_length=17, blank=True, db_index=True)
    color = models.CharField(max_length=40, blank=True)
    plate = models.CharField(max_length=12, blank=True, db_index=True)

    def __str__(self) -> str:
        return " ".join(str(p) for p in [self.year, self.make, self.model] if p) or "Vehicle"


class Claim(BaseModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="claims")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="claims")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="claims")
    claim_number = models.CharField(max_length=40, blank=True, db_index=True)
    ro_number = models.CharField(max_length=40, blank=True, db_index=True)
    carrier = models.CharField(max_length=80, blank=True)
    adjuster_name = models.CharField(max_length=120, blank=True)
    adjuster_phone = models.CharField(max_length=20, blank=True)
    adjuster_email = models.EmailField(blank=True)
    deductible = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    deductible_paid_at = models.DateTimeField(null=True, blank=True,
                                              help_text="When the shop recorded it paid")
    estimate_total = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    rental_days_covered = models.PositiveSmallIntegerField(null=True, blank=True)
    rental_start = models.DateField(null=True, blank=True)
    rental_company = models.CharField(max_length=80, blank=True)
    labor_hours = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True,
                                      help_text="Estimate labour hours (rental rules by hours)")
    eta = models.DateField(null=True, blank=True)
    eta_first_promised = models.DateField(null=True, blank=True)
    eta_reason = models.CharField(max_length=200, blank=True)
    eta_changed_at = models.DateTimeField(null=True, blank=True)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="claims")
    stage_entered_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    # None: follow the location's default; True/False: this claim's override.
    show_estimate_total = models.BooleanField(null=True, blank=True)
    show_deductible = models.BooleanField(null=True, blank=True)
    internal_notes = models.TextField(blank=True)
    # Portal capability. Only the SHA-256 of the token is stored; the token itself is
    # HMAC(SECRET_KEY, id:salt), so staff can reprint the QR without the DB holding it.
    portal_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    portal_token_salt = models.CharField(max_length=32, blank=True)
    portal_token_issued_at = models.DateTimeField(null=True, blank=True)
    portal_revoked_at = models.DateTimeField(null=True, blank=True)
    # Per-claim event counter: ClaimEvent.seq is allocated under this row's lock so
    # event ids increase in commit order (SSE replay by Last-Event-ID relies on it).
    event_seq = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta(BaseModel.Meta):
        indexes = [models.Index(fields=["location", "stage"])]

    def __str__(self) -> str:
        return self.ro_number or self.claim_number or f"Claim {self.pk}"

    @property
    def customer_sees_estimate_total(self) -> bool:
        if self.show_estimate_total is None:
            return self.location.show_estimate_total
        return self.show_estimate_total

    @property
    def customer_sees_deductible(self) -> bool:
        if self.show_deductible is None:
            return self.location.show_deductible
        return self.show_deductible

    @property
    def eta_moved(self) -> bool:
        return bool(self.eta and self.eta_first_promised and self.eta != self.eta_first_promised)

    @property
    def eta_withdrawn(self) -> bool:
        """A date was promised and then cleared: the customer is owed the reason, not a
        blank "we'll set a date" as if nothing had been promised."""
        return self.eta is None and self.eta_first_promised is not None


# Built from the registry in claims/event_types.py, where each type is defined once (what it
# carries, what the customer sees of it, how staff read it). EventType.STAGE etc. as usual.
EventType = models.TextChoices("EventType", event_types.choices(), module=__name__)


class Channel(models.TextChoices):
    STAFF = "staff", _("Back office")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    SYSTEM = "system", _("System")


class ClaimEvent(models.Model):
    """One entry of a claim's append-only timeline. Written only by claims.events helpers."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=20, choices=EventType.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.STAFF)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=120, blank=True)
    customer_visible = models.BooleanField(default=False)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["claim_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["claim", "seq"], name="event_seq_per_claim")]

    def __str__(self) -> str:
        return f"{self.claim_id}#{self.seq} {self.type}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("ClaimEvent is append-only")
        super().save(*args, **kwargs)
