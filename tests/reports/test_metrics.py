"""Report numbers against the hand-computed history in conftest.py."""

from __future__ import annotations

import datetime as dt

import pytest
from pytest import approx

from claimory.reports import portal_counter
from claimory.reports.metrics.calls import calls_avoided
from claimory.reports.metrics.cycle import cycle_times
from claimory.reports.metrics.portal import portal_views
from claimory.reports.metrics.responses import response_times
from claimory.reports.metrics.scorecard import carrier_scorecard
from claimory.reports.metrics.survey import survey_scores
from claimory.reports.models import PortalView
from claimory.reports.period import Period, business_minutes, p90
from tests.factories import make_claim
from tests.reports.conftest import CHI, PERIOD, at

pytestmark = pytest.mark.django_db


def test_buckets_are_monday_weeks_clipped_to_the_period():
    period = Period(dt.date(2026, 2, 4), dt.date(2026, 2, 17), "week")
    assert [(b.start.day, b.end.day, b.label) for b in period.buckets()] == [
        (4, 8, "Feb 4"), (9, 15, "Feb 9"), (16, 17, "Feb 16")]
    months = Period(dt.date(2026, 1, 20), dt.date(2026, 3, 3), "month").buckets()
    assert [(b.start, b.end, b.label) for b in months] == [
        (dt.date(2026, 1, 20), dt.date(2026, 1, 31), "Jan 2026"),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28), "Feb 2026"),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 3), "Mar 2026")]


def test_business_minutes_skip_nights_and_sundays():
    hours = {"mon": {"open": "07:30", "close": "17:30"}, "sat": {"open": "09:00",
                                                                 "close": "12:00"}}
    # Sat 11:50 → Mon 07:40: 10 minutes on Saturday, 10 on Monday.
    assert business_minutes(hours, CHI, at(7, 11, 50), at(9, 7, 40)) == 20
    assert business_minutes({}, CHI, at(7, 11, 50), at(7, 12, 50)) == 60  # no hours: clock
    assert p90([120, 10, 20]) == 120 and p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == 9


def test_portal_views_and_unique_viewers(history, location):
    report = portal_views(locations=[location], period=PERIOD)
    # A: 3 views Mon 10:15 + 1 Tue; B: 2 on Tue evening (Wed UTC); C: 1 on Mon 9th.
    # F's view at 23:30 on Sun Feb 1 (05:30 UTC Feb 2) is before the period.
    assert [(r.label, r.views, r.viewers) for r in report.rows] == [("Feb 2", 6, 2),
                                                                   ("Feb 9", 1, 1)]
    assert (report.total.views, report.total.viewers) == (7, 3)
    # The counter stored one row per claim and UTC hour: A's three views are one row.
    assert PortalView.objects.get(claim=history.a, hour=dt.datetime(
        2026, 2, 2, 16, tzinfo=dt.UTC)).views == 3


def test_calls_avoided(history, location):
    report = calls_avoided(locations=[location], period=PERIOD)
    first, second = report.rows
    # Feb 2 week: portal claim-days A/2, A/3, B/3; A's text on the 2nd is the same day.
    assert (first.portal_days, first.text_days, first.touches) == (3, 0, 3)
    assert first.business_days == 6  # Mon–Sat
    assert first.calls_avoided == 3 and first.hours == approx(3 * 4 / 60)
    # Feb 9 week: C's portal day, and E's automated text on the 10th.
    assert (second.portal_days, second.text_days, second.touches) == (1, 1, 2)
    assert report.total.calls_avoided == 5
    assert report.total.hours == approx(5 * 4 / 60)


def test_calls_avoided_never_exceed_the_baseline(location):
    """Seven customers look on the one day a week the shop is open: 4.5 calls at most."""
    location.business_hours = {"mon": {"open": "08:00", "close": "17:00"}}
    location.save()
    for _ in range(7):
        portal_counter.record(make_claim(location).pk, at=at(2, 10))
    portal_counter.flush()
    period = Period(dt.date(2026, 2, 2), dt.date(2026, 2, 8), "week")
    total = calls_avoided(locations=[location], period=period).total
    assert (total.touches, total.business_days, total.calls_avoided) == (7, 1, 4.5)
    assert (total.hours, total.hours_low, total.hours_high) == (approx(0.3), approx(0.2),
                                                               approx(0.4))


def test_response_times(history, location):
    report = response_times(locations=[location], period=PERIOD)
    first, second = report.rows
    # A: 16:00 Mon → 08:00 Tue = 90 + 30 business minutes (the automated text is no reply);
    # A: 10:00 → 10:10 = 10; B: Sat 11:50 → Mon 07:40 = 20.
    assert (first.answered, first.unanswered) == (3, 0)
    assert first.median_minutes == 20 and first.p90_minutes == 120
    # C: 45 minutes; E's question on the 12th is still waiting.
    assert (second.answered, second.unanswered, second.median_minutes) == (1, 1, 45)
    total = report.total
    assert (total.answered, total.unanswered) == (4, 1)
    assert total.median_minutes == 32.5 and total.p90_minutes == 120


def test_cycle_time_keys_to_keys_and_promises(history, location):
    report = cycle_times(locations=[location], period=PERIOD)
    first, second = report.rows
    assert first.delivered == 1 and first.cycle_avg == approx(4.25)  # Mon 09:00 → Fri 15:00
    assert first.keys_avg == approx(2 + 5 / 24)  # Wed 10:00 → Fri 15:00
    assert (first.promised, first.kept, first.kept_pct) == (1, 1, 100)
    # B 9.25 days, C 4 d 23 h, E 5 d 15.5 h (delivered 23:30 Sunday local: still the 15th).
    assert second.delivered == 3
    assert second.cycle_avg == approx((9.25 + (4 + 23 / 24) + (5 + 15.5 / 24)) / 3)
    assert second.keys_avg == approx(3.25) and second.keys_median == approx(3.25)
    assert (second.promised, second.kept, second.kept_pct) == (1, 0, 0)
    total = report.total
    assert total.delivered == 4  # F (Sun Feb 1 23:30 local, Feb 2 UTC) is outside
    assert total.cycle_median == approx(((4 + 23 / 24) + (5 + 15.5 / 24)) / 2)
    assert total.keys_avg == approx((2 + 5 / 24 + 3.25) / 2)
    assert (total.promised, total.kept, total.kept_pct) == (2, 1, 50)


def test_csi_and_nps(history, location):
    report = survey_scores(locations=[location], period=PERIOD)
    first, second = report.rows
    assert (first.responses, first.csi, first.nps) == (1, 5, 100)
    assert second.responses == 3 and second.csi == approx(11 / 3)
    assert (second.promoters, second.detractors, second.nps) == (1, 1, 0)  # 6, 8, 9
    total = report.total
    assert (total.responses, total.csi, total.top_two_pct) == (4, 4.0, 75)
    assert (total.promoters, total.detractors, total.nps) == (2, 1, 25)  # F's 0 is outside


def test_carrier_scorecard(history, location):
    card = carrier_scorecard(locations=[location], period=PERIOD)
    progressive, state_farm = card.rows  # two claims each: alphabetical
    assert state_farm.carrier == "State Farm"  # "state farm " is the same carrier
    assert (state_farm.claims, state_farm.csi, state_farm.nps) == (2, 3.5, 0)
    assert state_farm.cycle_avg == approx(6.75) and state_farm.kept_pct == 50
    assert (state_farm.supplements, state_farm.supplements_per_claim,
            state_farm.supplement_days, state_farm.rental_days) == (2, 1.0, 2.0, 3.0)
    # A: updates Mon 2, Wed 4, Fri 6 (2 business days apart); B: Tue 3 → Mon 9 is 5 (Wed,
    # Thu, Fri, Sat, Mon; the customer's own message on the 6th is no update).
    assert (state_farm.consistent_pct, state_farm.longest_gap_avg) == (50, 3.5)
    assert progressive.claims == 2 and progressive.csi == 4.5 and progressive.nps == 50
    assert progressive.keys_avg is None and progressive.kept_pct is None
    assert progressive.supplements == 0 and progressive.supplement_days is None
    # C: Mon 9 → Sat 14 is 5; E: Tue 10 → Thu 12 (ETA) → Sun 15 is 2 then 2.
    assert (progressive.consistent_pct, progressive.longest_gap_avg) == (50, 3.5)
    assert card.total.claims == 4 and card.total.csi == 4.0 and card.total.nps == 25


def test_empty_period_answers_zeros_and_blanks(history, location):
    quiet = Period(dt.date(2025, 6, 1), dt.date(2025, 6, 30), "month")
    assert portal_views(locations=[location], period=quiet).total.views == 0
    assert response_times(locations=[location], period=quiet).total.median_minutes is None
    assert cycle_times(locations=[location], period=quiet).total.cycle_avg is None
    assert survey_scores(locations=[location], period=quiet).total.nps is None
    assert carrier_scorecard(locations=[location], period=quiet).rows == []


def test_other_locations_do_not_leak_in(history, location, other_location):
    assert portal_views(locations=[other_location], period=PERIOD).total.views == 0
    assert carrier_scorecard(locations=[other_location], period=PERIOD).rows == []
