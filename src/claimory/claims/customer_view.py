"""The allow-list: exactly what a customer may see of a claim, built field by field.

The portal page, its live fragments and the event stream read only from here. A field is
visible because it is named below, never because a template happens to leave it out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from claimory.claims.event_types import kind_of
from claimory.claims.models import Claim, ClaimEvent, EventType
from claimory.core.compiled import Compiled
from claimory.money.models import Supplement
from claimory.shops.models import Location, Stage


@dataclass(frozen=True)
class StageStep:
    slug: str
    name: str
    explanation: str
    state: str  # "done" | "current" | "upcoming"
    reached_at: dt.datetime | None


@dataclass(frozen=True)
class SupplementPill:
    """One supplement as the customer sees it: the amount only where amounts are shown."""

    number: int
    status: str  # "pending" | "approved" | "denied"
    sent_on: dt.date
    decided_on: dt.date | None
    amount: Decimal | None


class Supplements(Sequence[SupplementPill]):
    """The claim's supplements, read on first use: only the money block asks, so the other
    live fragments (the thread, the ETA…) run no query for them."""

    def __init__(self, claim_id: int, *, show_amounts: bool) -> None:
        self._claim_id, self._show_amounts = claim_id, show_amounts
        self._rows: tuple[SupplementPill, ...] | None = None

    def _load(self) -> tuple[SupplementPill, ...]:
        if self._rows is None:
            self._rows = tuple(
                SupplementPill(number=number, status=status, sent_on=sent_on,
                               decided_on=decided_on,
                               amount=amount if self._show_amounts else None)
                for number, status, sent_on, decided_on, amount
                in _SUPPLEMENTS.values(claim_id=self._claim_id))
        return self._rows

    def __getitem__(self, index):  # type: ignore[override]
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())


@dataclass(frozen=True)
class RentalView:
    """The rental day-counter: no rule details, only what the customer can act on."""

    start: dt.date | None
    company: str
    covered_days: int | None
    day_number: int | None
    coverage_end: dt.date | None
    daily_limit: Decimal | None
    started: bool
    over: bool


@dataclass(frozen=True)
class CustomerClaimView:
    claim_id: int
    language: str
    customer_first_name: str
    vehicle: str
    vehicle_color: str
    ro_number: str
    carrier: str
    stage_slug: str
    stage_name: str
    stage_explanation: str
    steps: tuple[StageStep, ...]
    eta: dt.date | None
    eta_first_promised: dt.date | None
    eta_reason: str
    eta_changed_at: dt.datetime | None
    eta_moved: bool
    eta_withdrawn: bool
    estimate_total: Decimal | None  # None unless the shop lets the customer see it
    deductible: Decimal | None
    rental_days_covered: int | None
    rental_day: int | None
    delivered: bool
    last_event_seq: int
    # Paid or due, only where the deductible is shown (None otherwise).
    deductible_paid: bool | None = None
    supplements: Sequence[SupplementPill] = ()
    rental: RentalView | None = None


def public_event_data(event: ClaimEvent) -> dict[str, Any] | None:
    """The customer-safe projection of an event (its type's ``public`` keys, see
    claims/event_types.py), or None if the customer must not see it."""
    kind = kind_of(event.type)
    if not event.customer_visible or kind is None or kind.public is None:
        return None
    return {key: event.data[key] for key in kind.public if key in event.data}


def _stage_steps(claim: Claim, stages: list[Stage], reached: dict[str, dt.datetime],
                 language: str) -> tuple[StageStep, ...]:
    current_index = next((i for i, s in enumerate(stages) if s.pk == claim.stage_id), 0)
    steps = []
    for i, stage in enumerate(stages):
        state = "done" if i < current_index else "current" if i == current_index else "upcoming"
        steps.append(StageStep(
            slug=stage.slug, name=stage.display_name(language),
            explanation=stage.explanation(language) if state == "current" else "",
            state=state, reached_at=reached.get(stage.slug) if state != "upcoming" else None,
        ))
    return tuple(steps)


# The page's fixed-shape reads, compiled once per process (claimory/core/compiled.py).
_STAGE_EVENTS = Compiled(
    lambda claim_id: ClaimEvent.objects.filter(
        claim_id=claim_id, type__in=[EventType.CREATED, EventType.STAGE],
    ).order_by("seq").values_list("type", "data", "created_at"),
    claim_id=int)
_SUPPLEMENTS = Compiled(
    lambda claim_id: Supplement.objects.filter(claim_id=claim_id).order_by("number")
    .values_list("number", "status", "sent_on", "decided_on", "amount"),
    claim_id=int)
_LOCATION_STAGES = Compiled(
    lambda location_id: Stage.objects.filter(location_id=location_id).order_by("position", "id"),
    location_id=int)


def stage_reached_times(claim: Claim) -> dict[str, dt.datetime]:
    """When the car last entered each stage, from the timeline (one query)."""
    reached: dict[str, dt.datetime] = {}
    for etype, data, at in _STAGE_EVENTS.values(claim_id=claim.pk):
        slug = data.get("to") if etype == EventType.STAGE else data.get("stage")
        if slug:
            reached[slug] = at
    return reached


def customer_claim_view(claim: Claim, *, stages: list[Stage] | None = None,
                        today: dt.date | None = None,
                        language: str | None = None) -> CustomerClaimView:
    """Build the customer's view of ``claim``.

    Expects location, stage, customer and vehicle loaded. ``language`` overrides the
    customer's own (the portal's language switch) without touching the record.
    """
    location: Location = claim.location
    language = language or claim.customer.language or "en"
    if stages is None:
        stages = _LOCATION_STAGES.models(location_id=location.pk)
    steps = _stage_steps(claim, stages, stage_reached_times(claim), language)
    rental = _rental_view(claim, today) if today else None
    sees_total = claim.customer_sees_estimate_total
    sees_deductible = claim.customer_sees_deductible
    supplements = Supplements(claim.pk, show_amounts=sees_total)
    vehicle = claim.vehicle
    return CustomerClaimView(
        claim_id=claim.pk,
        language=language,
        customer_first_name=(claim.customer.name.split() or [""])[0],
        vehicle=str(vehicle),
        vehicle_color=vehicle.color,
        ro_number=claim.ro_number,
        carrier=claim.carrier,
        stage_slug=claim.stage.slug,
        stage_name=claim.stage.display_name(language),
        stage_explanation=claim.stage.explanation(language),
        steps=steps,
        eta=claim.eta,
        eta_first_promised=claim.eta_first_promised,
        eta_reason=claim.eta_reason if claim.eta_moved or claim.eta_withdrawn else "",
        eta_changed_at=claim.eta_changed_at if claim.eta_moved or claim.eta_withdrawn else None,
        eta_moved=claim.eta_moved,
        eta_withdrawn=claim.eta_withdrawn,
        estimate_total=claim.estimate_total if claim.customer_sees_estimate_total else None,
        deductible=claim.deductible if claim.customer_sees_deductible else None,
        rental_days_covered=rental.covered_days if rental else claim.rental_days_covered,
        rental_day=rental.day_number if rental else None,
        delivered=claim.delivered_at is not None,
        last_event_seq=claim.event_seq,
        deductible_paid=(claim.deductible_paid_at is not None
                         if sees_deductible and claim.deductible is not None else None),
        supplements=supplements,
        rental=rental,
    )


def _rental_view(claim: Claim, today: dt.date) -> RentalView | None:
    """The day-counter, or None when the claim has no rental (no query then)."""
    if not (claim.rental_start or claim.rental_company or claim.rental_days_covered):
        return None
    from claimory.money.rental import rental_coverage

    coverage = rental_coverage(claim, today)
    return RentalView(start=coverage.start, company=coverage.company,
                      covered_days=coverage.covered_days, day_number=coverage.day_number,
                      coverage_end=coverage.coverage_end, daily_limit=coverage.daily_limit,
                      started=coverage.started, over=coverage.over)
