"""The only writer of ClaimEvent rows: allocates the per-claim sequence and rings the notifier."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claimory.claims.event_types import payload_check
from claimory.claims.models import Channel, Claim, ClaimEvent, EventType


def actor_label_for(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return user.get_full_name() or user.get_username()


def event_record(
    *,
    claim: Claim,
    type: EventType | str,
    data: dict[str, Any] | None = None,
    actor: Any = None,
    actor_label: str = "",
    channel: Channel | str = Channel.STAFF,
    customer_visible: bool = False,
) -> ClaimEvent:
    """Append one event to the claim's timeline inside the caller's transaction.

    Assumes it runs inside ``transaction.atomic()`` together with the change it records.
    The UPDATE of ``Claim.event_seq`` takes the claim's row lock until commit, so events
    of one claim get increasing ``seq`` in commit order. Listeners are notified only
    after commit. The event must fit its definition in ``claims/event_types.py``.
    """
    payload_check(str(type), data or {}, customer_visible=customer_visible)
    assert transaction.get_connection().in_atomic_block, "event_record needs a transaction"
    Claim.objects.filter(pk=claim.pk).update(event_seq=F("event_seq") + 1)
    seq = Claim.objects.filter(pk=claim.pk).values_list("event_seq", flat=True).get()
    claim.event_seq = seq
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = ClaimEvent.objects.create(
        claim=claim,
        seq=seq,
        type=type,
        channel=channel,
        actor=user,
        actor_label=actor_label or actor_label_for(user),
        customer_visible=customer_visible,
        data=data or {},
        created_at=timezone.now(),
    )
    claim_id = claim.pk
    transaction.on_commit(lambda: _ring(claim_id, seq))
    return event


def _ring(claim_id: int, seq: int) -> None:
    from claimory.realtime.notifier import publish

    publish(claim_id, seq)
