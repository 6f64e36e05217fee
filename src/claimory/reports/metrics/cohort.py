"""The claims delivered in a period, with the timestamps the cycle and scorecard reports read.

- **Cycle time**: claim opened (``Claim.created_at``, the first contact) → delivered
  (``Claim.delivered_at``), in days (hours / 24).
- **Keys-to-keys**: the car is in the shop → delivered: from the first time the claim
  entered the ``started`` stage ("Repairs started": the car is in the bay) or any stage after
  it on the board, to delivery. Claims that skipped straight to delivery have none.
- **Delivered as promised**: delivered on or before the first date promised to the customer
  (``Claim.eta_first_promised``), comparing the local delivery day. Claims never promised
  a date are left out of the percentage.
- **Rental days**: delivery day − rental start day (calendar days), for claims with a rental.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models.fields.json import KT

from claimory.claims.models import Claim, ClaimEvent, EventType
from claimory.reports.period import Period, local_day, tz_of
from claimory.shops.models import Location, Stage

KEYS_STAGE = "started"  # the stage slug that means the car is in the shop's hands


@dataclass
class Delivered:
    id: int
    location_id: int
    carrier: str
    opened_at: dt.datetime
    delivered_at: dt.datetime
    day: dt.date  # local delivery day
    promised: dt.date | None
    rental_start: dt.date | None
    keys_at: dt.datetime | None = None

    @property
    def cycle_days(self) -> float:
        return (self.delivered_at - self.opened_at).total_seconds() / 86400

    @property
    def keys_days(self) -> float | None:
        if self.keys_at is None:
            return None
        return max(0.0, (self.delivered_at - self.keys_at).total_seconds() / 86400)

    @property
    def kept(self) -> bool | None:
        return None if self.promised is None else self.day <= self.promised

    @property
    def rental_days(self) -> int | None:
        if self.rental_start is None:
            return None
        return max(0, (self.day - self.rental_start).days)


def _keys_slugs(locations: Sequence[Location]) -> dict[int, set[str]]:
    """Per location, the slugs of ``started`` and every stage after it (by position)."""
    stages = Stage.objects.filter(location__in=locations).order_by("location_id", "position", "id")
    out: dict[int, set[str]] = {loc.pk: set() for loc in locations}
    seen: set[int] = set()
    for stage in stages.only("location_id", "slug", "position"):
        if stage.slug == KEYS_STAGE:
            seen.add(stage.location_id)
        if stage.location_id in seen:
            out[stage.location_id].add(stage.slug)
    return out


def delivered_claims(*, locations: Sequence[Location], period: Period) -> list[Delivered]:
    """Claims delivered in the period (by local delivery day), archived ones included."""
    by_id = {loc.pk: loc for loc in locations}
    lo, hi = period.utc_window()
    window = {"location__in": list(by_id), "delivered_at__gte": lo, "delivered_at__lt": hi}
    found: dict[int, Delivered] = {}
    rows = Claim.objects.filter(**window).order_by().values_list(
        "pk", "location_id", "carrier", "created_at", "delivered_at", "eta_first_promised",
        "rental_start")
    for pk, loc_id, carrier, opened, delivered, promised, rental in rows.iterator(2000):
        day = local_day(delivered, tz_of(by_id[loc_id]))
        if period.contains(day):
            found[pk] = Delivered(pk, loc_id, carrier.strip(), opened, delivered, day,
                                  promised, rental)
    keys = _keys_slugs(locations)
    events = (ClaimEvent.objects
              .filter(type__in=[EventType.STAGE, EventType.CREATED],
                      **{f"claim__{k}": v for k, v in window.items()})
              .order_by("claim_id", "seq")
              .values_list("claim_id", "claim__location_id", "created_at",
                           KT("data__to"), KT("data__stage")))
    for claim_id, loc_id, at, to, initial in events.iterator(5000):
        claim = found.get(claim_id)
        if claim is not None and claim.keys_at is None and (to or initial) in keys[loc_id]:
            claim.keys_at = at
    return sorted(found.values(), key=lambda c: (c.delivered_at, c.id))
