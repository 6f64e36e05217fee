"""Read-side queries for claims: the only gates through which views reach a claim."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from claimory.claims import tokens
from claimory.claims.models import Claim, ClaimEvent
from claimory.core.phones import normalize_phone
from claimory.shops.selectors import locations_for_user


def claims_for_user(user) -> QuerySet[Claim]:
    return Claim.objects.filter(location__in=locations_for_user(user)).select_related(
        "location", "customer", "vehicle", "stage"
    )


def claim_get_for_user(user, claim_id: int | str) -> Claim:
    """The claim if the user works at its location; Http404 otherwise (never 403: no hints)."""
    try:
        pk = int(claim_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such claim") from exc
    claim = claims_for_user(user).filter(pk=pk).first()
    if claim is None:
        raise Http404("No such claim")
    return claim


def claim_get_for_token(token: str) -> Claim | None:
    """The one claim a portal token opens, or None (unknown, revoked or expired alike).

    Every path hashes the token and runs the same query, so the reason for a miss does not
    show in the timing.
    """
    candidate = token if tokens.looks_like_token(token) else "x" * 22
    claim = (
        Claim.objects.select_related("location", "location__workspace", "customer", "vehicle",
                                     "stage")
        .filter(portal_token_hash=tokens.hash_token(candidate), portal_revoked_at__isnull=True)
        .first()
    )
    if claim is None or candidate != token:
        return None
    if claim.delivered_at is not None:
        expires = claim.delivered_at + timedelta(days=claim.location.portal_expiry_days)
        if timezone.now() >= expires:
            return None
    return claim


def claim_search(qs: QuerySet[Claim], query: str) -> QuerySet[Claim]:
    """Match name, phone, claim/RO number, VIN or plate (front-desk search box)."""
    query = (query or "").strip()
    if not query:
        return qs
    cond = (
        Q(customer__name__icontains=query)
        | Q(claim_number__icontains=query)
        | Q(ro_number__icontains=query)
        | Q(vehicle__vin__icontains=query.replace(" ", ""))
        | Q(vehicle__plate__icontains=query.replace(" ", ""))
        | Q(carrier__icontains=query)
    )
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 4:
        cond |= Q(customer__phone__contains=digits)
        try:
            cond |= Q(customer__phone=normalize_phone(query))
        except Exception:  # noqa: BLE001, S110 - not a phone number: other matches still apply
            pass
    return qs.filter(cond)


def claim_timeline(claim: Claim, *, customer_only: bool = False) -> QuerySet[ClaimEvent]:
    events = ClaimEvent.objects.filter(claim=claim).select_related("actor").order_by("seq")
    if customer_only:
        events = events.filter(customer_visible=True)
    return events
