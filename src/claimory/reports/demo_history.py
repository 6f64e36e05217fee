"""Months of delivered, archived claims for the demo (and the bench), so the reports have
something to draw: stage history, promised dates, messages, supplements, rentals, portal
views and answered surveys. Deterministic (seeded random), idempotent, every moment inside
the shop's opening hours and in order.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from claimory.claims.models import Claim, ClaimEvent, Customer, EventType, Vehicle
from claimory.messaging.models import Direction, Message
from claimory.money.models import Supplement, SupplementStatus
from claimory.reports.models import PortalView
from claimory.reports.period import opening
from claimory.shops.models import Location, Stage
from claimory.survey.models import Survey, SurveyState

MARK = "HIST-"  # RO numbers of seeded history claims
CARRIERS = ("State Farm", "GEICO", "Progressive", "Allstate", "")
MAKES = (("Toyota", "Camry"), ("Honda", "Civic"), ("Ford", "F-150"), ("Subaru", "Outback"),
         ("Chevrolet", "Malibu"), ("Nissan", "Rogue"))


def _open_moment(rng: random.Random, location: Location, day: dt.date, tz: ZoneInfo
                 ) -> dt.datetime:
    """A moment inside the shop's hours on ``day`` or the next open day."""
    for _ in range(8):
        times = opening(location.business_hours, day)
        if times is not None:
            start = dt.datetime.combine(day, times[0], tzinfo=tz)
            end = dt.datetime.combine(day, times[1], tzinfo=tz)
            return start + (end - start) * rng.uniform(0.05, 0.95)
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10), tzinfo=tz)


def seed_history(location: Location, *, count: int = 80, days: int = 150,
                 now: dt.datetime | None = None, seed: int = 12) -> int:
    """Seed ``count`` delivered claims over the last ``days``; returns how many were added."""
    if Claim.objects.filter(location=location, ro_number__startswith=MARK).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    tz = ZoneInfo(location.timezone)
    now = now or timezone.now()
    today = now.astimezone(tz).date()
    stages = {s.slug: s for s in Stage.objects.filter(location=location)}
    delivered_stage = next(s for s in stages.values() if s.is_delivery)
    order = [s for s in ("estimate", "started", "completed") if s in stages]
    with transaction.atomic():
        for i in range(count):
            _one(rng, location, tz, today, now, i, days, stages, order, delivered_stage)
    return count


def _one(rng, location, tz, today, now, i, days, stages, order, delivered_stage) -> None:
    carrier = rng.choice(CARRIERS)
    opened = _open_moment(rng, location, today - dt.timedelta(days=rng.randint(14, days)), tz)
    k2k = rng.randint(4, 16)
    moments = [opened]
    for step in (rng.randint(1, 3), rng.randint(1, 4), k2k, 1):
        moments.append(_open_moment(rng, location, moments[-1].astimezone(tz).date()
                                    + dt.timedelta(days=step), tz))
    if moments[-1] > now:
        return
    delivered = moments[-1]
    promised = (moments[2] + dt.timedelta(days=k2k + rng.choice((-1, 0, 0, 1, 2)))).date()
    make, model = rng.choice(MAKES)
    customer = Customer.objects.create(location=location, name=f"History Customer {i + 1}",
                                       phone=f"+1512555{3000 + i:04d}")
    vehicle = Vehicle.objects.create(location=location, year=2015 + i % 9, make=make,
                                     model=model)
    claim = Claim.objects.create(
        location=location, customer=customer, vehicle=vehicle, ro_number=f"{MARK}{i + 1:04d}",
        carrier=carrier, stage=delivered_stage, stage_entered_at=delivered,
        delivered_at=delivered, eta=promised, eta_first_promised=promised, archived=True,
        rental_start=opened.astimezone(tz).date() if carrier and rng.random() < 0.6 else None)
    events = [("created", opened, {"stage": "pictures"})]
    previous = "pictures"
    for slug, at in zip([*order, delivered_stage.slug], moments[1:], strict=False):
        events.append(("stage", at, {"from": previous, "to": slug}))
        previous = slug
    ClaimEvent.objects.bulk_create([
        ClaimEvent(claim=claim, seq=n + 1, type=kind, data=data, customer_visible=True,
                   channel="staff" if kind == EventType.STAGE else "system", created_at=at)
        for n, (kind, at, data) in enumerate(events)])
    Claim.objects.filter(pk=claim.pk).update(created_at=opened, event_seq=len(events))
    # A question and a reply, inside hours.
    if rng.random() < 0.7:
        asked = _open_moment(rng, location, moments[2].astimezone(tz).date(), tz)
        answered = min(asked + dt.timedelta(minutes=rng.randint(4, 150)), delivered)
        for direction, at in ((Direction.INBOUND, asked), (Direction.OUTBOUND, answered)):
            msg = Message.objects.create(claim=claim, direction=direction, channel="sms",
                                         body="Any news on my car?" if direction == "in"
                                         else "Paint is done; reassembly tomorrow.",
                                         status="delivered")
            Message.objects.filter(pk=msg.pk).update(created_at=max(at, asked))
    if carrier and rng.random() < 0.5:
        sent = moments[2].astimezone(tz).date()
        Supplement.objects.create(claim=claim, number=1, amount=rng.randint(200, 2400),
                                  sent_on=sent, status=SupplementStatus.APPROVED,
                                  decided_on=sent + dt.timedelta(days=rng.randint(0, 4)))
    views = []
    day = opened.astimezone(tz).date()
    while day <= delivered.astimezone(tz).date():
        if rng.random() < 0.55:
            hour = _open_moment(rng, location, day, tz).astimezone(dt.UTC)
            views.append(PortalView(claim=claim, views=rng.randint(1, 4),
                                    hour=hour.replace(minute=0, second=0, microsecond=0)))
        day += dt.timedelta(days=1)
    PortalView.objects.bulk_create(views, ignore_conflicts=True)
    if rng.random() < 0.6:
        answered_at = delivered + dt.timedelta(hours=rng.randint(20, 60))
        if answered_at < now:
            good = rng.random() < 0.85
            Survey.objects.create(
                claim=claim, location=location, state=SurveyState.ANSWERED,
                answered_at=answered_at, overall=rng.choice((4, 5, 5)) if good else
                rng.choice((1, 2, 3)), recommend=rng.choice((8, 9, 10, 10)) if good else
                rng.choice((2, 5, 6, 7)))
