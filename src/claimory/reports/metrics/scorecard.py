"""The DRP scorecard: the claims delivered in the period, one row per carrier.

Per carrier (``Claim.carrier``, compared case-insensitively; blank is "No carrier"):
claims delivered; CSI and NPS of those claims' answered surveys (``survey.py``); average
cycle time and keys-to-keys, delivered-as-promised and average rental days (``cohort.py``);
supplements: how many were sent, per claim, and the average days from sent to the carrier's
decision (decided ones only).

**Communication consistency**: the share of claims on which the customer never went more
than ``UPDATE_EVERY_BUSINESS_DAYS`` business days without an update from the shop, from the
day the claim was opened to delivery. An update is any customer-visible timeline event the
shop caused (stage, ETA, photo, message to the customer, document, automated text…); what
the customer did on the portal and their own messages don't count. A gap is counted in the
location's open days (the next open day = 1). The average longest gap is shown too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models.fields.json import KT

from claimory.claims.models import Channel, ClaimEvent, EventType
from claimory.money.models import Supplement
from claimory.reports.metrics.cohort import Delivered, delivered_claims
from claimory.reports.metrics.cycle import cycle_row
from claimory.reports.metrics.survey import survey_row
from claimory.reports.period import Period, business_days_between, local_day, mean, share, tz_of
from claimory.shops.models import Location
from claimory.survey.models import Survey, SurveyState

UPDATE_EVERY_BUSINESS_DAYS = 2
NO_CARRIER = "No carrier (customer pay)"


@dataclass(frozen=True)
class CarrierRow:
    carrier: str
    claims: int
    csi: float | None
    csi_responses: int
    nps: float | None
    cycle_avg: float | None
    keys_avg: float | None
    kept_pct: float | None
    supplements: int
    supplements_per_claim: float | None
    supplement_days: float | None
    rental_days: float | None
    consistent_pct: float | None
    longest_gap_avg: float | None


@dataclass(frozen=True)
class Scorecard:
    rows: list[CarrierRow]
    total: CarrierRow


def _longest_gaps(claims: Sequence[Delivered], locations: dict[int, Location],
                  window: dict) -> dict[int, int]:
    """Per claim, the longest run of business days without a shop update."""
    wanted = {c.id: c for c in claims}
    updates: dict[int, list] = defaultdict(list)
    events = (ClaimEvent.objects.filter(customer_visible=True, **window)
              .exclude(channel=Channel.PORTAL)
              .order_by("claim_id", "seq")
              .values_list("claim_id", "type", "created_at", KT("data__direction")))
    for claim_id, kind, at, direction in events.iterator(5000):
        claim = wanted.get(claim_id)
        if claim is None or kind == EventType.MESSAGE and direction == "in":
            continue
        if claim.opened_at <= at <= claim.delivered_at:  # after delivery is no update
            updates[claim_id].append(at)
    gaps = {}
    for claim in claims:
        location = locations[claim.location_id]
        tz = tz_of(location)
        days = sorted({local_day(at, tz) for at in updates[claim.id]}
                      | {local_day(claim.opened_at, tz), claim.day})
        gaps[claim.id] = max((business_days_between(location.business_hours, a, b)
                              for a, b in zip(days, days[1:], strict=False)), default=0)
    return gaps


def _row(name: str, claims: Sequence[Delivered], answers: dict[int, tuple], supps: dict,
         gaps: dict[int, int]) -> CarrierRow:
    cycle = cycle_row(name, claims)
    surveys = survey_row(name, [answers[c.id] for c in claims if c.id in answers])
    sent = [days for c in claims for days in supps.get(c.id, [])]
    decided = [d for d in sent if d is not None]
    rentals = [c.rental_days for c in claims if c.rental_days is not None]
    longest = [gaps[c.id] for c in claims]
    consistent = sum(1 for g in longest if g <= UPDATE_EVERY_BUSINESS_DAYS)
    return CarrierRow(
        carrier=name, claims=len(claims), csi=surveys.csi, csi_responses=surveys.responses,
        nps=surveys.nps, cycle_avg=cycle.cycle_avg, keys_avg=cycle.keys_avg,
        kept_pct=cycle.kept_pct, supplements=len(sent),
        supplements_per_claim=len(sent) / len(claims) if claims else None,
        supplement_days=mean(decided), rental_days=mean(rentals),
        consistent_pct=share(consistent, len(claims)), longest_gap_avg=mean(longest))


def carrier_scorecard(*, locations: Sequence[Location], period: Period) -> Scorecard:
    by_id = {loc.pk: loc for loc in locations}
    claims = delivered_claims(locations=locations, period=period)
    lo, hi = period.utc_window()
    window = {"claim__location__in": list(by_id), "claim__delivered_at__gte": lo,
              "claim__delivered_at__lt": hi}
    answers = {claim_id: (overall, recommend) for claim_id, overall, recommend in
               Survey.objects.filter(state=SurveyState.ANSWERED, **window).order_by()
               .values_list("claim_id", "overall", "recommend")}
    supps: dict[int, list[int | None]] = defaultdict(list)
    for claim_id, sent_on, decided_on in (Supplement.objects.filter(**window).order_by()
                                          .values_list("claim_id", "sent_on", "decided_on")):
        supps[claim_id].append(None if decided_on is None else (decided_on - sent_on).days)
    gaps = _longest_gaps(claims, by_id, window)
    groups: dict[str, list[Delivered]] = defaultdict(list)
    names: dict[str, str] = {}
    for claim in claims:
        key = claim.carrier.casefold()
        names.setdefault(key, claim.carrier or NO_CARRIER)
        groups[key].append(claim)
    rows = [_row(names[key], group, answers, supps, gaps) for key, group in groups.items()]
    rows.sort(key=lambda r: (-r.claims, r.carrier.casefold()))
    return Scorecard(rows=rows, total=_row("All carriers", claims, answers, supps, gaps))
