"""Status calls avoided and front-desk hours reclaimed.

The seed's baseline: without a live status page a shop answers 3–6 "is my car ready?" calls
per business day, about 4 minutes each. A **status touch** is a claim-day on which the
customer got their status without calling: they opened the portal, or the shop's automation
texted or emailed them a status update. At most one call is avoided per claim per day, and no
more calls than the baseline says the shop would have had:

    calls avoided = min(status touches, CALLS_PER_DAY × business days)      per location
    hours reclaimed = calls avoided × MINUTES_PER_CALL / 60

The headline uses the midpoint (4.5 calls/day); the low and high ends of the range
(3 and 6 calls/day) are reported alongside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from claimory.messaging.models import Direction, Message
from claimory.reports.metrics.portal import portal_touch_days
from claimory.reports.period import Period, business_days, local_day, tz_of
from claimory.shops.models import Location

CALLS_PER_DAY_LOW = 3.0
CALLS_PER_DAY_HIGH = 6.0
CALLS_PER_DAY = (CALLS_PER_DAY_LOW + CALLS_PER_DAY_HIGH) / 2
MINUTES_PER_CALL = 4.0


@dataclass(frozen=True)
class CallsRow:
    label: str
    portal_days: int  # claim-days with a portal view
    text_days: int  # claim-days with an automated status message (and no portal view)
    touches: int
    business_days: int  # summed over locations
    calls_avoided: float
    hours: float
    hours_low: float
    hours_high: float


@dataclass(frozen=True)
class CallsReport:
    rows: list[CallsRow]
    total: CallsRow


def _hours(calls: float) -> float:
    return calls * MINUTES_PER_CALL / 60


def calls_avoided(*, locations: Sequence[Location], period: Period) -> CallsReport:
    by_id = {loc.pk: loc for loc in locations}
    portal: set[tuple[int, int, object]] = {
        (loc, claim, day) for loc, claim, day, _n in
        portal_touch_days(locations=locations, period=period)}
    lo, hi = period.utc_window()
    texts: set[tuple[int, int, object]] = set()
    sent = (Message.objects.filter(claim__location__in=list(by_id), direction=Direction.OUTBOUND,
                                   automated=True, created_at__gte=lo, created_at__lt=hi)
            .order_by().values_list("claim__location_id", "claim_id", "created_at"))
    for location_id, claim_id, at in sent.iterator(chunk_size=5000):
        day = local_day(at, tz_of(by_id[location_id]))
        if period.contains(day):
            texts.add((location_id, claim_id, day))
    texts -= portal
    # (bucket, location) -> counts
    portal_n: dict[tuple, int] = defaultdict(int)
    text_n: dict[tuple, int] = defaultdict(int)
    for loc, _claim, day in portal:
        portal_n[(period.key(day), loc)] += 1
    for loc, _claim, day in texts:
        text_n[(period.key(day), loc)] += 1

    def row(label: str, spans: list[tuple[object, object, object]]) -> CallsRow:
        """Sum over (bucket key, first day, last day) spans and every location."""
        p = t = days = 0
        calls = low = high = 0.0
        for key, start, end in spans:
            for loc_id, loc in by_id.items():
                open_days = business_days(loc.business_hours, start, end)
                touched = portal_n[(key, loc_id)] + text_n[(key, loc_id)]
                p += portal_n[(key, loc_id)]
                t += text_n[(key, loc_id)]
                days += open_days
                calls += min(touched, CALLS_PER_DAY * open_days)
                low += min(touched, CALLS_PER_DAY_LOW * open_days)
                high += min(touched, CALLS_PER_DAY_HIGH * open_days)
        return CallsRow(label, p, t, p + t, days, calls, _hours(calls), _hours(low),
                        _hours(high))

    buckets = period.buckets()
    rows = [row(b.label, [(b.start, b.start, b.end)]) for b in buckets]
    total = row("Total", [(b.start, b.start, b.end) for b in buckets])
    return CallsReport(rows=rows, total=total)
