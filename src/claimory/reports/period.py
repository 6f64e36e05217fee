"""A report's date range and buckets, read in each location's own time zone.

Every report covers whole local days ``start``..``end`` (inclusive) and groups them by ISO
week (Monday first) or calendar month. A row belongs to the day its timestamp falls on in
*its location's* time zone, so a group of shops across zones (issue 13) buckets each shop's
rows in that shop's local days.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

from claimory.shops.models import Location

WEEK, MONTH = "week", "month"
GRAINS = (WEEK, MONTH)
DEFAULT_DAYS = 90
MAX_DAYS = 731  # two years: enough for a trend, small enough to answer fast
_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Bucket:
    start: dt.date  # first day of the bucket inside the period
    end: dt.date  # last day, inclusive, inside the period
    label: str  # for tables and CSV ("Mar 3", "Mar 2026")
    short: str = ""  # for chart axes ("Mar 3", "Mar")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    grain: str = WEEK

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")
        if self.grain not in GRAINS:
            raise ValueError(f"unknown grain {self.grain!r}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def bucket_start(self, day: dt.date) -> dt.date:
        """The first day of the bucket ``day`` falls in (not clipped to the period)."""
        if self.grain == WEEK:
            return day - dt.timedelta(days=day.weekday())
        return day.replace(day=1)

    def key(self, day: dt.date) -> dt.date | None:
        """The bucket key of a local day, or None outside the period."""
        return max(self.bucket_start(day), self.start) if self.contains(day) else None

    def buckets(self) -> list[Bucket]:
        out: list[Bucket] = []
        day = self.start
        while day <= self.end:
            nominal = self.bucket_start(day)
            if self.grain == WEEK:
                nxt = nominal + dt.timedelta(days=7)
                label = short = f"{day:%b} {day.day}"
            else:
                nxt = (nominal.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                label, short = f"{day:%b %Y}", f"{day:%b}"
            end = min(nxt - dt.timedelta(days=1), self.end)
            out.append(Bucket(start=day, end=end, label=label, short=short))
            day = end + dt.timedelta(days=1)
        return out

    def utc_window(self) -> tuple[dt.datetime, dt.datetime]:
        """A UTC range wide enough for every time zone (±14 h); rows are then kept by their
        exact local day, so the database filter only has to be generous."""
        lo = dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC) - dt.timedelta(hours=14)
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min,
                                 tzinfo=dt.UTC) + dt.timedelta(hours=14)
        return lo, hi


def default_period(today: dt.date, *, days: int = DEFAULT_DAYS) -> Period:
    start = today - dt.timedelta(days=days - 1)
    return Period(start=start, end=today, grain=WEEK if days <= 120 else MONTH)


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def tz_of(location: Location) -> ZoneInfo:
    return zone(location.timezone)


def local_day(at: dt.datetime, tz: ZoneInfo) -> dt.date:
    return at.astimezone(tz).date()


# ---- business hours ------------------------------------------------------------------------

def _hhmm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def opening(hours: dict | None, day: dt.date) -> tuple[dt.time, dt.time] | None:
    """The location's open and close times on ``day`` (None: closed)."""
    spec = (hours or {}).get(_DAY_KEYS[day.weekday()])
    if not spec or not spec.get("open") or not spec.get("close"):
        return None
    try:
        start, end = _hhmm(spec["open"]), _hhmm(spec["close"])
    except (ValueError, AttributeError):
        return None
    return (start, end) if end > start else None


def business_days(hours: dict | None, start: dt.date, end: dt.date) -> int:
    """How many days in start..end (inclusive) the shop is open."""
    day, count = start, 0
    while day <= end:
        count += opening(hours, day) is not None
        day += dt.timedelta(days=1)
    return count


def business_days_between(hours: dict | None, a: dt.date, b: dt.date) -> int:
    """Open days after ``a`` up to and including ``b``: 0 the same day, 1 the next open day."""
    return business_days(hours, a + dt.timedelta(days=1), b) if b > a else 0


def business_minutes(hours: dict | None, tz: ZoneInfo, a: dt.datetime, b: dt.datetime
                     ) -> float:
    """Minutes between ``a`` and ``b`` that fall inside the shop's opening hours.

    A shop without any hours set is taken as always open (wall-clock minutes).
    """
    if b <= a:
        return 0.0
    if not any(opening(hours, dt.date(2024, 1, 1) + dt.timedelta(days=i)) for i in range(7)):
        return (b - a).total_seconds() / 60
    la, lb = a.astimezone(tz), b.astimezone(tz)
    total, day = 0.0, la.date()
    while day <= lb.date():
        times = opening(hours, day)
        if times is not None:
            open_at = dt.datetime.combine(day, times[0], tzinfo=tz)
            close_at = dt.datetime.combine(day, times[1], tzinfo=tz)
            lo, hi = max(open_at, la), min(close_at, lb)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += dt.timedelta(days=1)
    return total


# ---- small statistics ----------------------------------------------------------------------

def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: Iterable[float]) -> float | None:
    """The 90th percentile by nearest rank: the smallest value with at least 90% of the
    values at or below it (no interpolation, so it is always a real observation)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage (None when there is nothing to divide)."""
    return 100.0 * part / whole if whole else None
