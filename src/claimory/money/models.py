"""Money beyond the claim row: the carrier's supplements and each location's rental rules."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from claimory.claims.models import Claim
from claimory.core.models import BaseModel
from claimory.shops.models import Location


class SupplementStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"


class SupplementSource(models.TextChoices):
    STAFF = "staff", "Staff"
    IMPORT = "import", "Estimate import"
    API = "api", "API"


class Supplement(BaseModel):
    """Extra work found after the first estimate, sent to the carrier for approval.

    Numbered per claim from 1 (as estimating systems number them: S01, S02…). Written only
    by ``money/supplements.py``, which records a SUPPLEMENT event with every change.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="supplements")
    number = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    sent_on = models.DateField()
    status = models.CharField(max_length=10, choices=SupplementStatus.choices,
                              default=SupplementStatus.PENDING)
    decided_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text="Staff only")
    source = models.CharField(max_length=10, choices=SupplementSource.choices,
                              default=SupplementSource.STAFF)

    class Meta(BaseModel.Meta):
        ordering = ["claim_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "number"],
                                    name="supplement_number_per_claim"),
            models.CheckConstraint(condition=models.Q(number__gte=1),
                                   name="supplement_number_gte_1"),
        ]

    def __str__(self) -> str:
        return f"Supplement {self.number} ({self.status})"


class RentalRule(BaseModel):
    """How many rental days one carrier covers at one location.

    Exactly one way of counting: a fixed number of days (``days_allowed``, optionally with a
    ``daily_limit`` in dollars), or days from the estimate's labour hours
    (``hours_per_day``: ceil(labour hours / hours per day), clamped to ``min_days`` and
    ``max_days``). ``count_weekends`` False: only weekdays use up covered days.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE,
                                 related_name="rental_rules")
    carrier = models.CharField(max_length=80)
    days_allowed = models.PositiveSmallIntegerField(null=True, blank=True)
    daily_limit = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    hours_per_day = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    min_days = models.PositiveSmallIntegerField(null=True, blank=True)
    max_days = models.PositiveSmallIntegerField(null=True, blank=True)
    count_weekends = models.BooleanField(default=True)

    class Meta(BaseModel.Meta):
        ordering = ["location_id", "carrier"]
        constraints = [
            models.UniqueConstraint(Lower("carrier"), "location",
                                    name="rental_rule_carrier_per_location"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} rental rule"

    @property
    def kind(self) -> str:
        """"days", "daily_limit" or "hours" — how this rule counts covered days."""
        if self.hours_per_day is not None:
            return "hours"
        if self.daily_limit is not None:
            return "daily_limit"
        return "days"
