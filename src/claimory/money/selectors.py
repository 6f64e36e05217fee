"""Reads of supplements and rental rules."""

from __future__ import annotations

from django.db.models import QuerySet

from claimory.claims.models import Claim
from claimory.money.models import RentalRule, Supplement
from claimory.shops.models import Location


def supplements_of(claim: Claim) -> QuerySet[Supplement]:
    return Supplement.objects.filter(claim=claim).order_by("number")


def supplement_get(claim: Claim, number: int) -> Supplement | None:
    """A supplement of this claim by its number (None for any miss)."""
    if not 0 < number <= 2**31:
        return None
    supplement = Supplement.objects.filter(claim=claim, number=number).first()
    if supplement is not None:
        supplement.claim = claim  # the caller's gated row, with its location loaded
    return supplement


def rental_rules_of(location: Location) -> QuerySet[RentalRule]:
    return RentalRule.objects.filter(location=location).order_by("carrier")
