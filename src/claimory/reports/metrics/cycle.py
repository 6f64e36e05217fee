"""Cycle time, keys-to-keys and delivered-as-promised per bucket of delivery days
(definitions in ``cohort.py``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from claimory.reports.metrics.cohort import Delivered, delivered_claims
from claimory.reports.period import Period, mean, median, share
from claimory.shops.models import Location


@dataclass(frozen=True)
class CycleRow:
    label: str
    delivered: int
    cycle_avg: float | None
    cycle_median: float | None
    keys_avg: float | None
    keys_median: float | None
    promised: int  # delivered claims that had a first promised date
    kept: int  # … delivered on or before it
    kept_pct: float | None


@dataclass(frozen=True)
class CycleReport:
    rows: list[CycleRow]
    total: CycleRow


def cycle_row(label: str, claims: Sequence[Delivered]) -> CycleRow:
    cycle = [c.cycle_days for c in claims]
    keys = [c.keys_days for c in claims if c.keys_days is not None]
    promised = [c for c in claims if c.kept is not None]
    kept = sum(1 for c in promised if c.kept)
    return CycleRow(label, len(claims), mean(cycle), median(cycle), mean(keys), median(keys),
                    len(promised), kept, share(kept, len(promised)))


def cycle_times(*, locations: Sequence[Location], period: Period,
                claims: Sequence[Delivered] | None = None) -> CycleReport:
    if claims is None:
        claims = delivered_claims(locations=locations, period=period)
    groups: dict[object, list[Delivered]] = defaultdict(list)
    for claim in claims:
        groups[period.key(claim.day)].append(claim)
    rows = [cycle_row(b.label, groups[b.start]) for b in period.buckets()]
    return CycleReport(rows=rows, total=cycle_row("Total", claims))
