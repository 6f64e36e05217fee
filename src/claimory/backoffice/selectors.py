"""Read-side queries behind the staff screens: claim list, board columns, inbox, teammates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from claimory.claims.models import Claim
from claimory.claims.selectors import claim_search, claims_for_user
from claimory.claims.services import location_today
from claimory.messaging.models import Conversation, Message
from claimory.messaging.selectors import inbox_for_user
from claimory.shops.models import Location, Membership, Stage
from claimory.shops.permissions import MATRIX

# Delivered cars stay on the board this long, so the column shows recent hand-overs only.
BOARD_DELIVERED_DAYS = 14

SORTS: dict[str, tuple[str, tuple]] = {
    "recent": ("Recently updated", ("-updated_at", "-id")),
    "eta": ("ETA, soonest first", (F("eta").asc(nulls_last=True), "id")),
    "stage": ("Stage", ("stage__position", "stage_entered_at")),
    "waiting": ("Longest in stage", ("stage_entered_at", "id")),
    "customer": ("Customer name", ("customer__name", "id")),
    "ro": ("RO number", ("ro_number", "id")),
    "new": ("Newest first", ("-created_at", "-id")),
}


@dataclass(frozen=True)
class ClaimFilters:
    q: str = ""
    location: str = ""
    stage: str = ""
    carrier: str = ""
    overdue: bool = False
    sort: str = "recent"


def eta_past_due_q(locations: list[Location]) -> Q:
    """Claims not yet delivered whose ETA is before today in their own shop's time zone."""
    if not locations:
        return Q(pk__in=[])
    per_location = (Q(location=loc, eta__lt=location_today(loc)) for loc in locations)
    return reduce(or_, per_location) & Q(delivered_at__isnull=True)


def claim_list(user, filters: ClaimFilters, locations: list[Location]) -> QuerySet[Claim]:
    qs = claim_search(claims_for_user(user).filter(archived=False), filters.q)
    if filters.location:
        qs = qs.filter(location__slug=filters.location)
    if filters.stage:
        qs = qs.filter(stage__slug=filters.stage)
    if filters.carrier:
        qs = qs.filter(carrier__iexact=filters.carrier)
    if filters.overdue:
        qs = qs.filter(eta_past_due_q(locations))
    return qs.order_by(*SORTS.get(filters.sort, SORTS["recent"])[1])


def stage_choices(locations: list[Location]) -> list[tuple[str, str]]:
    """Distinct stage slugs across the user's locations, in board order (one query)."""
    seen: dict[str, str] = {}
    rows = Stage.objects.filter(location__in=locations).order_by("position", "id")
    for slug, name in rows.values_list("slug", "name"):
        seen.setdefault(slug, name)
    return list(seen.items())


def carrier_choices(locations: list[Location]) -> list[str]:
    rows = (Claim.objects.filter(location__in=locations, archived=False).exclude(carrier="")
            .order_by("carrier").values_list("carrier", flat=True).distinct())
    return list(rows)


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[Claim] = field(default_factory=list)


def board_columns(location: Location, *, now: dt.datetime | None = None) -> list[BoardColumn]:
    """One column per stage in the location's order, each with its cars (two queries)."""
    now = now or timezone.now()
    columns = {s.pk: BoardColumn(stage=s) for s in location.stages.order_by("position", "id")}
    cutoff = now - dt.timedelta(days=BOARD_DELIVERED_DAYS)
    claims = (
        Claim.objects.filter(location=location, archived=False)
        .exclude(delivered_at__lt=cutoff)
        .select_related("customer", "vehicle", "stage", "location")
        .order_by(F("eta").asc(nulls_last=True), "stage_entered_at", "id")
    )
    cards = list(claims)
    for claim in cards:
        columns[claim.stage_id].cards.append(claim)
    _attach_rental(location, [c for c in cards if c.rental_start])
    return list(columns.values())


def _attach_rental(location: Location, claims: list[Claim]) -> None:
    """Each card's rental coverage, with the location's rules read once (none read when no
    car on the board has a rental)."""
    if not claims:
        return
    from claimory.claims.services import location_today
    from claimory.money.rental import rental_coverage, rules_by_carrier

    rules, today = rules_by_carrier(location.pk), location_today(location)
    for claim in claims:
        claim.rental_now = rental_coverage(
            claim, today, rule=rules.get((claim.carrier or "").strip().lower()))


def board_card_visible(claim: Claim, *, now: dt.datetime | None = None) -> bool:
    """Whether the board shows this claim (the same rule as ``board_columns``)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=BOARD_DELIVERED_DAYS)
    return not claim.archived and not (claim.delivered_at and claim.delivered_at < cutoff)


INBOX_TABS = {"waiting": "Waiting", "mine": "Mine", "all": "All"}


def inbox_rows(user, tab: str) -> QuerySet[Conversation]:
    """The inbox tab's threads with their newest message (one query, whatever the length)."""
    newest = Message.objects.filter(claim=OuterRef("claim_id")).order_by("-id")
    return inbox_for_user(user, show=tab).annotate(
        last_body=Subquery(newest.values("body")[:1]),
        last_direction=Subquery(newest.values("direction")[:1]),
    )


def teammates_by_location(membership: Membership,
                          locations: list[Location]) -> dict[int, list]:
    """Active staff who work at each location and may answer customers (two queries), by
    first name: the people a thread can be assigned to."""
    members = (Membership.objects.filter(workspace=membership.workspace, user__is_active=True,
                                         role__in=MATRIX["message.send"])
               .select_related("user").prefetch_related("locations"))
    members = sorted(members, key=lambda m: (m.user.get_full_name() or m.user.email).lower())
    worked: dict[int, set[int]] = {m.pk: {loc.pk for loc in m.locations.all()} for m in members}
    return {
        loc.pk: [m.user for m in members if m.sees_all_locations or loc.pk in worked[m.pk]]
        for loc in locations
    }


def teammate_get(membership: Membership, user_id: int):
    """A user of the same workspace, or None (someone elsewhere is as unknown as nobody)."""
    return (get_user_model().objects
            .filter(pk=user_id, is_active=True, memberships__workspace=membership.workspace)
            .first())
