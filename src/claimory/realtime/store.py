"""Database reads of the event stream, run in the hub's small thread pools, never per stream.

Every function here is synchronous and short: it opens no transaction, holds no connection
beyond its pool thread's own, and returns plain values (frames already encoded) so the event
loop only moves bytes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Q

from claimory.claims.customer_view import public_event_data
from claimory.claims.event_types import kind_of
from claimory.claims.models import Claim, ClaimEvent
from claimory.claims.selectors import portal_access_for_token, portal_expires_at
from claimory.core import ratelimit
from claimory.core.db_retry import reconnecting
from claimory.realtime.wire import encode_event

logger = logging.getLogger(__name__)

BATCH = 200
# Poll window: PostgreSQL hands out ids before commit, so a low id can commit after higher
# ones. Re-reading the newest POLL_LOOKBACK ids catches those; a per-claim fetch by seq (the
# commit-ordered counter) then delivers everything, so even a miss here only delays.
POLL_LOOKBACK = 256

Frames = list[tuple[int, bytes | None]]  # (seq, frame or None when the customer may not see it)


@dataclass(frozen=True)
class Access:
    """Which token currently opens the claim and until when (epoch seconds, None = open)."""

    token_hash: str | None
    expires_at: float | None


@dataclass(frozen=True)
class Opened:
    claim_id: int
    access: Access
    cursor: int  # the last seq the replay covered (hidden events included)
    claim_seq: int  # the claim's newest seq when the token was checked
    replay: bytes


@dataclass(frozen=True)
class Fetched:
    frames: Frames
    last_seq: int
    access: Access | None  # re-read when the batch holds an event that changes access


def _epoch(when: datetime | None) -> float | None:
    return None if when is None else when.timestamp()


def _access(claim: Claim) -> Access:
    if claim.portal_revoked_at is not None or not claim.portal_token_hash:
        return Access(token_hash=None, expires_at=None)
    expires = portal_expires_at(claim.delivered_at, claim.location.portal_expiry_days)
    return Access(token_hash=claim.portal_token_hash, expires_at=_epoch(expires))


def _changes_access(event_type: str) -> bool:
    """Whether the claim's portal access is re-read after this event (its type's
    ``changes_access``: rotation, revocation, delivery starting the expiry clock)."""
    kind = kind_of(event_type)
    return kind is not None and kind.changes_access


def _encode(event: ClaimEvent) -> bytes | None:
    data = public_event_data(event)
    return None if data is None else encode_event(event.seq, event.type, data)


def _frames(claim_id: int, after: int, limit: int) -> tuple[Frames, int]:
    """Events of one claim after ``after``, encoded, and the last seq read."""
    rows = (ClaimEvent.objects.filter(claim_id=claim_id, seq__gt=after)
            .only("seq", "type", "customer_visible", "data").order_by("seq")[:limit])
    frames = [(event.seq, _encode(event)) for event in rows]
    return frames, frames[-1][0] if frames else after


@reconnecting
def stream_open(token: str, after: int, limit: int = BATCH) -> Opened | None:
    """Check the token (uniform miss: None) and read the replay after ``after``."""
    access = portal_access_for_token(token)
    if access is None:
        return None
    # A cursor from the future (say, after a database restore) would hide new events.
    after = min(after, access.event_seq)
    # The usual connect (the page passes the seq it rendered) has nothing to replay.
    frames, last = ([], after) if after == access.event_seq else _frames(access.claim_id,
                                                                          after, limit)
    return Opened(
        claim_id=access.claim_id,
        access=Access(token_hash=access.token_hash, expires_at=_epoch(access.expires_at)),
        cursor=last,
        claim_seq=access.event_seq,
        replay=b"".join(frame for _seq, frame in frames if frame),
    )


@reconnecting
def claims_fetch(cursors: dict[int, int], limit: int = BATCH) -> dict[int, Fetched]:
    """The fan-out read: for each claim, its events after its cursor — one query for all.

    Batching keeps the hub to one thread hop per round of doorbells however many claims
    rang. A claim missing from the answer was not reached within ``limit`` rows; ask again.
    """
    condition = Q()
    for claim_id, after in cursors.items():
        condition |= Q(claim_id=claim_id, seq__gt=after)
    rows = list(ClaimEvent.objects.filter(condition)
                .only("claim_id", "seq", "type", "customer_visible", "data")
                .order_by("claim_id", "seq")[:limit])
    reached = rows[-1].claim_id if len(rows) == limit else max(cursors)
    frames: dict[int, Frames] = {cid: [] for cid in cursors if cid <= reached}
    moved: set[int] = set()
    for event in rows:
        frames[event.claim_id].append((event.seq, _encode(event)))
        if _changes_access(event.type):
            moved.add(event.claim_id)
    access = _access_many(moved) if moved else {}
    return {
        cid: Fetched(frames=got, last_seq=got[-1][0] if got else cursors[cid],
                     access=access.get(cid))
        for cid, got in frames.items()
    }


def _access_many(claim_ids: set[int]) -> dict[int, Access]:
    claims = (Claim.objects.select_related("location")
              .only("portal_token_hash", "portal_revoked_at", "delivered_at",
                    "location__portal_expiry_days")
              .filter(pk__in=claim_ids))
    found = {claim.pk: _access(claim) for claim in claims}
    return {cid: found.get(cid, Access(token_hash=None, expires_at=None)) for cid in claim_ids}


@reconnecting
def events_poll(high: int | None) -> tuple[list[tuple[int, int]], int]:
    """(claim id, newest seq) of recent events and the new high-water id.

    The first call only learns the current high-water mark: streams replay for themselves.
    """
    if high is None:
        return [], ClaimEvent.objects.aggregate(top=Max("id"))["top"] or 0
    rows = (ClaimEvent.objects.filter(id__gt=high - POLL_LOOKBACK)
            .values_list("id", "claim_id", "seq"))
    newest: dict[int, int] = {}
    for event_id, claim_id, seq in rows:
        high = max(high, event_id)
        if seq > newest.get(claim_id, 0):
            newest[claim_id] = seq
    return list(newest.items()), high


_limiter_skip_until = 0.0


def _limiter_call(fn, ip: str):
    # A broken cache (Redis down) must not turn into a 500 or slow every connect: the limiter
    # fails open and is skipped for a few seconds before the next try.
    global _limiter_skip_until
    if time.monotonic() < _limiter_skip_until:
        return None
    try:
        return fn(ip)
    except Exception as exc:  # noqa: BLE001
        _limiter_skip_until = time.monotonic() + 5.0
        logger.warning("portal miss limiter unavailable (%s); not limiting for now", exc)
        return None


def stream_admit(token: str, after: int, client_ip: str) -> Opened | int | None:
    """Opened for a live token; None (uniform 404) for any miss; an int = seconds to wait (429).

    Misses count against the client in the same limiter as the portal page, so the stream
    is no faster a way to guess tokens.
    """
    wait = _limiter_call(ratelimit.token_miss_wait, client_ip)
    if wait:
        return int(wait)
    opened = stream_open(token, after)
    if opened is None:
        _limiter_call(ratelimit.token_miss_record, client_ip)
    return opened
