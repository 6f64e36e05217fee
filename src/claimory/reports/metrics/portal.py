"""Portal views and unique viewers per bucket.

A view is one portal page load (GET /c/<token>, cached or rendered). A viewer is a claim:
one link is one household and we keep nothing that tells people apart (no IP, no cookie),
so "unique viewers" counts the claims whose portal was opened in the bucket.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from claimory.reports.models import PortalView
from claimory.reports.period import Bucket, Period, local_day, tz_of
from claimory.shops.models import Location


@dataclass(frozen=True)
class PortalRow:
    label: str
    views: int
    viewers: int


@dataclass(frozen=True)
class PortalReport:
    rows: list[PortalRow]
    total: PortalRow


def portal_touch_days(*, locations: Sequence[Location], period: Period
                      ) -> list[tuple[int, int, object, int]]:
    """(location id, claim id, local day, views) of every claim-day with views in the
    period, each day in its location's zone. Shared with the calls-avoided report."""
    zones = {loc.pk: tz_of(loc) for loc in locations}
    lo, hi = period.utc_window()
    per_day: dict[tuple[int, int, object], int] = defaultdict(int)
    rows = (PortalView.objects.filter(claim__location__in=list(zones), hour__gte=lo, hour__lt=hi)
            .order_by().values_list("claim__location_id", "claim_id", "hour", "views"))
    for location_id, claim_id, hour, views in rows.iterator(chunk_size=5000):
        day = local_day(hour, zones[location_id])
        if period.contains(day):
            per_day[(location_id, claim_id, day)] += views
    return [(loc, claim, day, views) for (loc, claim, day), views in per_day.items()]


def portal_views(*, locations: Sequence[Location], period: Period) -> PortalReport:
    buckets: list[Bucket] = period.buckets()
    views: dict[object, int] = defaultdict(int)
    viewers: dict[object, set[int]] = defaultdict(set)
    for _loc, claim_id, day, count in portal_touch_days(locations=locations, period=period):
        key = period.key(day)
        views[key] += count
        viewers[key].add(claim_id)
    rows = [PortalRow(b.label, views[b.start], len(viewers[b.start])) for b in buckets]
    everyone = set().union(*viewers.values()) if viewers else set()
    return PortalReport(rows=rows, total=PortalRow("Total", sum(views.values()), len(everyone)))
