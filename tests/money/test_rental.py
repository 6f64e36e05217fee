"""Rental day-counter arithmetic: weekends, Friday starts, time zones, labour hours, overrides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from claimory.claims.services import claim_update, location_today
from claimory.money.models import RentalRule
from claimory.money.rental import (
    coverage_end,
    rental_coverage,
    rental_day_number,
    rental_rule_delete,
    rental_rule_save,
    rule_days,
)
from claimory.shops.permissions import RoleDenied

FRI = dt.date(2025, 3, 7)
SAT, SUN, MON = FRI + dt.timedelta(1), FRI + dt.timedelta(2), FRI + dt.timedelta(3)


def test_day_numbers_counting_weekends():
    assert rental_day_number(FRI, FRI) == 1
    assert rental_day_number(FRI, MON) == 4
    assert rental_day_number(FRI, FRI - dt.timedelta(1)) is None


def test_day_numbers_skipping_weekends_from_a_friday():
    days = [rental_day_number(FRI, FRI + dt.timedelta(i), count_weekends=False) for i in range(11)]
    #        Fri Sat Sun Mon Tue Wed Thu Fri Sat Sun Mon
    assert days == [1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 7]


def test_a_rental_that_starts_on_a_saturday_is_day_one_until_monday():
    assert rental_day_number(SAT, SAT, count_weekends=False) == 1
    assert rental_day_number(SAT, SUN, count_weekends=False) == 1
    assert rental_day_number(SAT, MON, count_weekends=False) == 1
    assert rental_day_number(SAT, MON + dt.timedelta(1), count_weekends=False) == 2


def test_day_numbers_over_many_weeks_match_a_plain_count():
    start = dt.date(2025, 1, 1)  # a Wednesday
    for n in range(60):
        today = start + dt.timedelta(n)
        plain = sum(1 for i in range(n + 1) if (start + dt.timedelta(i)).weekday() < 5)
        assert rental_day_number(start, today, count_weekends=False) == max(1, plain)


def test_coverage_end_counting_and_skipping_weekends():
    assert coverage_end(FRI, 10) == FRI + dt.timedelta(9)
    # Fri = 1, Mon..Fri = 2..6: six weekdays end on Friday, and the weekend after is free.
    assert coverage_end(FRI, 6, count_weekends=False) == FRI + dt.timedelta(9)  # Sunday
    assert coverage_end(FRI, 2, count_weekends=False) == MON
    assert coverage_end(FRI, 0) == FRI - dt.timedelta(1)


def _rule(**fields) -> RentalRule:
    return RentalRule(carrier="Acme", **fields)


def test_labour_hours_round_up_and_clamp():
    rule = _rule(hours_per_day=Decimal("6"))
    assert rule_days(rule, Decimal("24.0")) == 4
    assert rule_days(rule, Decimal("24.1")) == 5
    assert rule_days(rule, Decimal("0")) == 0
    assert rule_days(rule, None) is None
    clamped = _rule(hours_per_day=Decimal("6"), min_days=3, max_days=10)
    assert rule_days(clamped, Decimal("1")) == 3
    assert rule_days(clamped, Decimal("100")) == 10
    assert rule_days(_rule(days_allowed=12, daily_limit=Decimal("35")), Decimal("100")) == 12


def _last_friday(claim) -> dt.date:
    today = location_today(claim.location)
    return today - dt.timedelta(days=(today.weekday() - 4) % 7)


@pytest.mark.django_db
class TestOnAClaim:
    def test_the_carriers_rule_applies_case_insensitively(self, claim, location, owner):
        rental_rule_save(location=location, actor=owner,
                         values={"carrier": "state farm", "hours_per_day": "5",
                                 "count_weekends": False})
        fri = _last_friday(claim)
        claim_update(claim=claim, changes={"rental_start": fri, "labor_hours": "22",
                                           "rental_company": "Enterprise"}, actor=owner)
        cov = rental_coverage(claim, fri + dt.timedelta(days=3))
        assert (cov.covered_days, cov.source, cov.day_number) == (5, "rule", 2)
        assert cov.coverage_end == fri + dt.timedelta(days=6)  # Fri, Mon, Tue, Wed, Thu
        assert cov.company == "Enterprise" and not cov.count_weekends

    def test_the_claims_own_days_override_the_rule(self, claim, location, owner):
        rental_rule_save(location=location, actor=owner,
                         values={"carrier": "State Farm", "days_allowed": 30})
        fri = _last_friday(claim)
        claim_update(claim=claim, changes={"rental_start": fri, "rental_days_covered": 3},
                     actor=owner)
        cov = rental_coverage(claim, fri)
        assert (cov.covered_days, cov.source) == (3, "claim")

    def test_no_rule_and_no_days_means_unknown(self, claim, owner):
        fri = _last_friday(claim)
        claim_update(claim=claim, changes={"rental_start": fri}, actor=owner)
        cov = rental_coverage(claim, fri + dt.timedelta(days=3))
        assert cov.covered_days is None and cov.coverage_end is None and cov.day_number == 4
        assert not cov.ends_before_eta

    def test_warns_when_coverage_ends_before_the_eta(self, claim, owner):
        claim.rental_start, claim.rental_days_covered = FRI, 6
        claim.eta = FRI + dt.timedelta(days=7)
        cov = rental_coverage(claim, FRI, rule=None)
        assert cov.coverage_end == FRI + dt.timedelta(days=5)
        assert cov.ends_before_eta and cov.days_short == 2
        claim.eta = cov.coverage_end
        assert not rental_coverage(claim, FRI, rule=None).ends_before_eta

    def test_past_coverage(self, claim):
        claim.rental_start, claim.rental_days_covered = FRI, 2
        cov = rental_coverage(claim, FRI + dt.timedelta(days=4), rule=None)
        assert cov.over and cov.day_number == 5


@pytest.mark.django_db
def test_location_today_follows_the_shops_time_zone(claim, monkeypatch):
    """23:30 on Friday in Chicago is already Saturday in UTC: the counter says Friday."""
    late_friday = dt.datetime(2025, 3, 8, 5, 30, tzinfo=dt.UTC)  # Fri 23:30 CST
    monkeypatch.setattr("django.utils.timezone.now", lambda: late_friday)
    today = location_today(claim.location)
    assert today == FRI
    claim.rental_start, claim.rental_days_covered = dt.date(2025, 3, 6), 10
    assert rental_coverage(claim, today, rule=None).day_number == 2
    claim.location.timezone = "UTC"
    assert location_today(claim.location) == SAT


@pytest.mark.django_db
def test_rule_validation(location, owner):
    bad = [
        ({"carrier": "", "days_allowed": 10}, "carrier"),
        ({"carrier": "Acme"}, "days_allowed"),
        ({"carrier": "Acme", "days_allowed": 10, "hours_per_day": "6"}, "__all__"),
        ({"carrier": "Acme", "days_allowed": 10, "min_days": 2}, "min_days"),
        ({"carrier": "Acme", "hours_per_day": "0"}, "hours_per_day"),
        ({"carrier": "Acme", "hours_per_day": "6", "min_days": 9, "max_days": 3}, "min_days"),
        ({"carrier": "Acme", "days_allowed": 999}, "days_allowed"),
        ({"carrier": "Acme", "days_allowed": 10, "daily_limit": "abc"}, "daily_limit"),
    ]
    for values, key in bad:
        with pytest.raises(ValidationError) as exc:
            rental_rule_save(location=location, values=values, actor=owner)
        assert key in exc.value.message_dict, values
    rule = rental_rule_save(location=location, actor=owner,
                            values={"carrier": "Acme", "days_allowed": 10, "daily_limit": "35"})
    with pytest.raises(ValidationError):
        rental_rule_save(location=location, values={"carrier": "ACME ", "days_allowed": 5},
                         actor=owner)
    rental_rule_save(location=location, rule=rule, actor=owner,
                     values={"carrier": "Acme", "days_allowed": 12})
    rule.refresh_from_db()
    assert rule.days_allowed == 12 and rule.daily_limit is None and rule.kind == "days"


@pytest.mark.django_db
def test_only_managers_change_rules(location, front_desk, owner):
    with pytest.raises(RoleDenied):
        rental_rule_save(location=location, values={"carrier": "Acme", "days_allowed": 1},
                         actor=front_desk)
    rule = rental_rule_save(location=location, values={"carrier": "Acme", "days_allowed": 1},
                            actor=owner)
    with pytest.raises(RoleDenied):
        rental_rule_delete(rule=rule, actor=front_desk)
    rental_rule_delete(rule=rule, actor=owner)
    assert not RentalRule.objects.exists()


@pytest.mark.django_db
def test_labour_hours_are_validated_on_the_claim(claim, owner):
    with pytest.raises(ValidationError) as exc:
        claim_update(claim=claim, changes={"labor_hours": "-1"}, actor=owner)
    assert "labor_hours" in exc.value.message_dict
    claim_update(claim=claim, changes={"labor_hours": "23.45"}, actor=owner)
    claim.refresh_from_db()
    assert claim.labor_hours == Decimal("23.4") or claim.labor_hours == Decimal("23.5")
