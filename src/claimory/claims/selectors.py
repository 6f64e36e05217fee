"""Read-side queries for claims: the only gates through which views reach a claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from claimory.claims import tokens
from claimory.claims.models import Claim, ClaimEvent
from claimory.core.compiled import Compiled
from claimory.core.phones import normalize_phone
from claimory.shops.permissions import require
from claimory.shops.selectors import locations_for_user


def claims_for_user(user) -> QuerySet[Claim]:
    return Claim.objects.filter(location__in=locations_for_user(user)).select_related(
        "location", "customer", "vehicle", "stage"
    )


def claim_get_for_user(user, claim_id: int | str, perm: str = "claim.view") -> Claim:
    """The claim if the user works at its location; Http404 otherwise (never 403: no hints).

    Then ``perm`` (e.g. "claim.note" for a write): a teammate who sees the claim but whose
    role lacks it gets PermissionDenied, answered 403 by the staff gate.
    """
    try:
        pk = int(claim_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such claim") from exc
    claim = claims_for_user(user).filter(pk=pk).first()
    if claim is None:
        raise Http404("No such claim")
    require(user, perm)  # the query above already limited it to the user's locations
    return claim


# Compiled once per process (the token hash is unique: no ORDER BY needed).
_CLAIM_BY_TOKEN_HASH = Compiled(
    lambda token_hash: Claim.objects.select_related(
        "location", "location__workspace", "customer", "vehicle", "stage",
    ).filter(portal_token_hash=token_hash, portal_revoked_at__isnull=True).order_by()[:1],
    token_hash=str)


def claim_get_for_token(token: str) -> Claim | None:
    """The one claim a portal token opens, or None (unknown, revoked or expired alike).

    Every path hashes the token and runs the same query, so the reason for a miss does not
    show in the timing.
    """
    candidate = token if tokens.looks_like_token(token) else "x" * 22
    found = _CLAIM_BY_TOKEN_HASH.models(token_hash=tokens.hash_token(candidate))
    claim = found[0] if found else None
    if claim is None or candidate != token:
        return None
    if _portal_expired(claim.delivered_at, claim.location.portal_expiry_days):
        return None
    return claim


def _portal_expired(delivered_at: datetime | None, expiry_days: int) -> bool:
    return delivered_at is not None and timezone.now() >= portal_expires_at(delivered_at,
                                                                            expiry_days)


def portal_expires_at(delivered_at: datetime | None, expiry_days: int) -> datetime | None:
    """When a delivered car's portal link stops working (None while the car is in the shop)."""
    return None if delivered_at is None else delivered_at + timedelta(days=expiry_days)


@dataclass(frozen=True)
class PortalAccess:
    claim_id: int
    event_seq: int
    token_hash: str
    expires_at: datetime | None


def portal_access_for_token(token: str) -> PortalAccess | None:
    """claim_get_for_token's checks in one narrow query, without loading the claim.

    For the event stream, whose connects come by the thousand after a server restart, and the
    page's fast path. The query is compiled once per process (``_access_sql``): building it
    through the ORM on every call cost ~220 us, ten times what running it costs. Same
    uniform miss (None).
    """
    candidate = token if tokens.looks_like_token(token) else "x" * 22
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(), [tokens.hash_token(candidate)])
        row = cursor.fetchone()
    if row is None or candidate != token:
        return None
    claim_id, event_seq, token_hash, delivered_at, expiry_days = row
    if delivered_at is not None and timezone.is_naive(delivered_at):
        delivered_at = delivered_at.replace(tzinfo=UTC)  # SQLite stores UTC without a zone
    if _portal_expired(delivered_at, expiry_days):
        return None
    return PortalAccess(claim_id=claim_id, event_seq=event_seq, token_hash=token_hash,
                        expires_at=portal_expires_at(delivered_at, expiry_days))


@cache
def _access_sql() -> str:
    """portal_access_for_token's query as SQL, its one parameter the token hash."""
    placeholder = "-"  # replaced by each call's hash
    qs = (Claim.objects.filter(portal_token_hash=placeholder, portal_revoked_at__isnull=True)
          .order_by().values_list("pk", "event_seq", "portal_token_hash", "delivered_at",
                                  "location__portal_expiry_days")[:1])
    sql, params = qs.query.sql_with_params()
    assert params == (placeholder,), params
    return sql


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
