"""How fast the shop answers customers' messages.

A **wait** starts at a customer's inbound message (any channel) when the shop owes no answer
yet, so three texts in a row are one wait from the first. It ends at the next message a
person at the shop sends to that customer (automated status texts don't answer anybody).
The time counted is **business minutes**: only the minutes inside the location's opening
hours (Settings → hours), so a question at 9 pm answered at 8 am, half an hour after
opening, took 30 minutes. A wait is bucketed by the day the customer wrote; waits not
answered yet are counted as unanswered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from claimory.messaging.models import Direction, Message
from claimory.reports.period import (
    Period,
    business_minutes,
    local_day,
    median,
    p90,
    tz_of,
)
from claimory.shops.models import Location

LOOKBACK = dt.timedelta(days=30)  # a wait that started this long before the period is skipped


@dataclass(frozen=True)
class ResponseRow:
    label: str
    answered: int
    unanswered: int
    median_minutes: float | None
    p90_minutes: float | None


@dataclass(frozen=True)
class ResponseReport:
    rows: list[ResponseRow]
    total: ResponseRow


def response_times(*, locations: Sequence[Location], period: Period) -> ResponseReport:
    by_id = {loc.pk: loc for loc in locations}
    lo, _hi = period.utc_window()
    messages = (Message.objects.filter(claim__location__in=list(by_id),
                                       created_at__gte=lo - LOOKBACK)
                .order_by("claim_id", "created_at", "id")
                .values_list("claim_id", "claim__location_id", "direction", "automated",
                             "created_at"))
    minutes: dict[object, list[float]] = defaultdict(list)
    unanswered: dict[object, int] = defaultdict(int)
    claim = waiting = location = None
    for claim_id, location_id, direction, automated, at in messages.iterator(chunk_size=5000):
        if claim_id != claim:
            if waiting is not None:
                _open(period, unanswered, waiting, by_id[location])
            claim, waiting, location = claim_id, None, location_id
        if direction == Direction.INBOUND:
            waiting = waiting or at
        elif not automated and waiting is not None:
            loc = by_id[location_id]
            key = period.key(local_day(waiting, tz_of(loc)))
            if key is not None:
                minutes[key].append(business_minutes(loc.business_hours, tz_of(loc), waiting,
                                                     at))
            waiting = None
    if waiting is not None:
        _open(period, unanswered, waiting, by_id[location])
    rows = [ResponseRow(b.label, len(minutes[b.start]), unanswered[b.start],
                        median(minutes[b.start]), p90(minutes[b.start]))
            for b in period.buckets()]
    everything = [m for values in minutes.values() for m in values]
    total = ResponseRow("Total", len(everything), sum(unanswered.values()), median(everything),
                        p90(everything))
    return ResponseReport(rows=rows, total=total)


def _open(period: Period, unanswered: dict, since: dt.datetime, location: Location) -> None:
    key = period.key(local_day(since, tz_of(location)))
    if key is not None:
        unanswered[key] += 1
