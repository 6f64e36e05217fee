"""The deductible: paid or still due at pickup."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.shops.permissions import authorize


@transaction.atomic
def deductible_mark_paid(*, claim: Claim, paid: bool, actor: Any = None, actor_label: str = "",
                         channel: str = Channel.STAFF) -> Claim:
    """Record the deductible paid (now) or unpaid again. Nothing changed: no event.

    Writes a staff-visible UPDATED event and a customer-visible VISIBILITY event (no
    amounts) so open portals re-render their money block; the portal shows paid or due only
    where it shows the deductible. Needs claim.money_edit for a staff actor.
    """
    authorize(actor, "claim.money_edit", claim.location)
    if paid and claim.deductible is None:
        raise ValidationError({"deductible": ["Enter the deductible before marking it paid."]})
    if paid == (claim.deductible_paid_at is not None):
        return claim
    claim.deductible_paid_at = timezone.now() if paid else None
    claim.save(update_fields=["deductible_paid_at", "updated_at"])
    event_record(claim=claim, type=EventType.UPDATED, actor=actor, actor_label=actor_label,
                 channel=channel, data={"fields": ["deductible_paid_at"]})
    event_record(claim=claim, type=EventType.VISIBILITY, actor=actor, actor_label=actor_label,
                 channel=channel, customer_visible=True, data={})
    return claim
