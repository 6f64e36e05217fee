"""Rental car coverage: which rule applies, how many days it covers, and which day it is.

Plain arithmetic over dates, no clock of its own: callers pass ``today`` in the location's
time zone (``claims.services.location_today``). Day 1 is the rental's start date. With a
rule that does not count weekends, Saturdays and Sundays use up no covered days: a rental
that starts on a Friday is on day 2 on Monday, and coverage that runs out on a Friday lasts
through Sunday.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from claimory.claims.models import Claim
from claimory.money.models import RentalRule
from claimory.shops.models import Location
from claimory.shops.permissions import authorize

_UNSET: Any = object()
DAYS_MAX = 365


def _counts(day: dt.date, count_weekends: bool) -> bool:
    return count_weekends or day.weekday() < 5


def rental_day_number(start: dt.date, today: dt.date, *, count_weekends: bool = True) -> int | None:
    """Which rental day ``today`` is (start = day 1); None before the start.

    Skipping weekends, a weekend day keeps the number of the weekday before it (a rental
    that starts on a Saturday is on day 1 until Monday, which is day 1 too).
    """
    if today < start:
        return None
    span = (today - start).days + 1
    if count_weekends:
        return span
    weeks, rest = divmod(span, 7)
    counted = weeks * 5 + sum(1 for i in range(rest)
                              if _counts(start + dt.timedelta(days=weeks * 7 + i), False))
    return max(1, counted)


def coverage_end(start: dt.date, days: int, *, count_weekends: bool = True) -> dt.date:
    """The last calendar day the rental is covered: the ``days``-th counted day from
    ``start``, plus any uncounted weekend right after it. ``days == 0``: the day before."""
    if days <= 0:
        return start - dt.timedelta(days=1)
    if count_weekends:
        return start + dt.timedelta(days=days - 1)
    day, counted = start, 0
    while True:
        if _counts(day, False):
            counted += 1
            if counted == days:
                break
        day += dt.timedelta(days=1)
    while not _counts(day + dt.timedelta(days=1), False):
        day += dt.timedelta(days=1)
    return day


def rule_days(rule: RentalRule, labor_hours: Decimal | None) -> int | None:
    """Days a rule covers; None for a labour-hours rule on a claim without hours."""
    if rule.hours_per_day is None:
        return rule.days_allowed
    if labor_hours is None or rule.hours_per_day <= 0:
        return None
    days = math.ceil(Decimal(labor_hours) / rule.hours_per_day)
    if rule.min_days is not None:
        days = max(days, rule.min_days)
    if rule.max_days is not None:
        days = min(days, rule.max_days)
    return days


def rule_for(location_id: int, carrier: str) -> RentalRule | None:
    carrier = (carrier or "").strip()
    if not carrier:
        return None
    return RentalRule.objects.filter(location_id=location_id, carrier__iexact=carrier).first()


def rules_by_carrier(location_id: int) -> dict[str, RentalRule]:
    """Every rule of a location, keyed by lower-cased carrier (one query, for lists)."""
    return {r.carrier.strip().lower(): r
            for r in RentalRule.objects.filter(location_id=location_id)}


@dataclass(frozen=True)
class RentalCoverage:
    start: dt.date | None
    company: str
    carrier: str
    covered_days: int | None  # None: no override and no rule that can say
    source: str  # "claim" (rental_days_covered), "rule", or "" when unknown
    count_weekends: bool
    daily_limit: Decimal | None
    day_number: int | None  # None before the start or without a start
    coverage_end: dt.date | None
    eta: dt.date | None
    ends_before_eta: bool
    days_short: int  # calendar days between the end of coverage and the ETA

    @property
    def active(self) -> bool:
        """There is a rental to talk about."""
        return self.start is not None or bool(self.company) or self.source == "claim"

    @property
    def started(self) -> bool:
        return self.day_number is not None

    @property
    def over(self) -> bool:
        """Today is past the covered days."""
        return (self.day_number is not None and self.covered_days is not None
                and self.day_number > self.covered_days)


def rental_coverage(claim: Claim, today: dt.date, *, rule: RentalRule | None = _UNSET
                    ) -> RentalCoverage:
    """The claim's rental as of ``today`` (a date in the location's time zone).

    ``claim.rental_days_covered`` overrides the carrier's rule for the number of days; the
    rule (matched on the claim's carrier, case-insensitively) still says whether weekends
    count. Pass ``rule`` when the caller already has it (a board of many cards).
    """
    if rule is _UNSET:
        rule = rule_for(claim.location_id, claim.carrier)
    count_weekends = rule.count_weekends if rule is not None else True
    if claim.rental_days_covered is not None:
        covered, source = claim.rental_days_covered, "claim"
    elif rule is not None:
        covered = rule_days(rule, claim.labor_hours)
        source = "rule" if covered is not None else ""
    else:
        covered, source = None, ""
    start = claim.rental_start
    day = rental_day_number(start, today, count_weekends=count_weekends) if start else None
    end = (coverage_end(start, covered, count_weekends=count_weekends)
           if start and covered is not None else None)
    short = (claim.eta - end).days if end and claim.eta and end < claim.eta else 0
    return RentalCoverage(
        start=start, company=claim.rental_company, carrier=claim.carrier, covered_days=covered,
        source=source, count_weekends=count_weekends,
        daily_limit=rule.daily_limit if rule is not None and rule.kind == "daily_limit" else None,
        day_number=day, coverage_end=end, eta=claim.eta, ends_before_eta=short > 0,
        days_short=short,
    )


# ---- rules: what owners and managers set per carrier ------------------------------------

RULE_FIELDS = ("carrier", "days_allowed", "daily_limit", "hours_per_day", "min_days",
               "max_days", "count_weekends")


def _rule_clean(location: Location, values: dict[str, Any], *, exclude_pk: int | None
                ) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out = {name: values.get(name) for name in RULE_FIELDS}
    out["carrier"] = (out["carrier"] or "").strip()
    out["count_weekends"] = True if out["count_weekends"] is None else bool(out["count_weekends"])
    if not out["carrier"]:
        errors.setdefault("carrier", []).append("Enter the insurance carrier's name.")
    elif len(out["carrier"]) > 80:
        errors.setdefault("carrier", []).append("Keep the carrier under 80 characters.")
    elif RentalRule.objects.filter(location=location, carrier__iexact=out["carrier"]) \
            .exclude(pk=exclude_pk).exists():
        errors.setdefault("carrier", []).append(
            f"{out['carrier']} already has a rule here; edit that one.")
    for name in ("days_allowed", "min_days", "max_days"):
        value = out[name]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 0 <= value <= DAYS_MAX):
            errors.setdefault(name, []).append(f"Use a whole number of days from 0 to {DAYS_MAX}.")
            out[name] = None
    for name, top in (("daily_limit", Decimal("10000")), ("hours_per_day", Decimal("100"))):
        value = out[name]
        if value is None:
            continue
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            value = None
        if value is None or not value.is_finite() or not Decimal(0) < value < top:
            errors.setdefault(name, []).append(f"Enter a number above 0 and below {top}.")
            out[name] = None
        else:
            out[name] = value.quantize(Decimal("0.01"))
    hours = values.get("hours_per_day") is not None
    if hours:
        if values.get("days_allowed") is not None or values.get("daily_limit") is not None:
            errors.setdefault("__all__", []).append(
                "A rule counts days one way: either days allowed (with an optional daily "
                "limit) or days from labour hours, not both.")
        if (out["min_days"] is not None and out["max_days"] is not None
                and out["min_days"] > out["max_days"]):
            errors.setdefault("min_days", []).append("The minimum is above the maximum.")
    else:
        if values.get("days_allowed") is None:
            errors.setdefault("days_allowed", []).append(
                "Enter the days allowed, or labour hours per rental day.")
        if values.get("min_days") is not None or values.get("max_days") is not None:
            errors.setdefault("min_days", []).append(
                "Minimum and maximum days apply only to a labour-hours rule.")
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def rental_rule_save(*, location: Location, values: dict[str, Any],
                     rule: RentalRule | None = None, actor: Any = None) -> RentalRule:
    """Create a carrier's rule for ``location``, or replace ``rule``'s values. Owners and
    managers (settings.location)."""
    authorize(actor, "settings.location", location)
    if rule is not None and rule.location_id != location.pk:
        raise ValidationError({"__all__": ["That rule belongs to another location."]})
    clean = _rule_clean(location, values, exclude_pk=rule.pk if rule else None)
    rule = rule or RentalRule(location=location)
    for name, value in clean.items():
        setattr(rule, name, value)
    rule.save()
    return rule


@transaction.atomic
def rental_rule_delete(*, rule: RentalRule, actor: Any = None) -> None:
    authorize(actor, "settings.location", rule.location)
    rule.delete()
