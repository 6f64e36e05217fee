"""Read-side queries for texting: which claims a number's text may go to, the unmatched
queue as staff see it, and a number's consent history."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from claimory.claims.models import Claim
from claimory.shops.models import Location
from claimory.shops.selectors import locations_for_user
from claimory.sms.models import ConsentRecord, UnmatchedText


def _most_recent_first(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    return (claims.annotate(active_at=Coalesce(Max("events__created_at"), "created_at"))
            .select_related("customer", "vehicle", "stage", "location")
            .order_by("-active_at", "-id"))


def open_claims_for_number(location: Location, phone: str, *,
                           now: dt.datetime | None = None) -> list[Claim]:
    """The location's open claims whose customer has this number, most recently active
    first. Open: not archived, and not delivered longer ago than the portal stays open."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=location.portal_expiry_days)
    claims = (Claim.objects.filter(location=location, customer__phone=phone, archived=False)
              .filter(Q(delivered_at__isnull=True) | Q(delivered_at__gte=cutoff)))
    return list(_most_recent_first(claims))


def latest_claim_for_number(location: Location, phone: str) -> Claim | None:
    """Any claim of this number at the location (archived or long delivered too), the most
    recently active: where a STOP's confirmation is recorded when no claim is open."""
    return _most_recent_first(Claim.objects.filter(location=location,
                                                   customer__phone=phone)).first()


def unmatched_for_user(user) -> QuerySet[UnmatchedText]:
    """Texts waiting for staff to pick their claim, at the user's locations, newest first."""
    return (UnmatchedText.objects.filter(location__in=locations_for_user(user),
                                         attached_at__isnull=True, dismissed_at__isnull=True)
            .select_related("location").order_by("-received_at", "-id"))


def unmatched_get_for_user(user, unmatched_id: int | str) -> UnmatchedText:
    """One unmatched text at the user's locations (attached or not), or Http404."""
    try:
        pk = int(unmatched_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such text") from exc
    row = (UnmatchedText.objects.filter(pk=pk, location__in=locations_for_user(user))
           .select_related("location").first())
    if row is None:
        raise Http404("No such text")
    return row


def consent_history(location: Location, phone: str, *, limit: int = 10) -> list[ConsentRecord]:
    """The number's consent changes at the location, newest first (who, when, how)."""
    if not phone:
        return []
    return list(ConsentRecord.objects.filter(location=location, phone=phone)
                .select_related("recorded_by").order_by("-created_at", "-id")[:limit])
