"""Where the car is and when it will be ready: stage moves and ETA changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.claims.services.validation import eta_check, stage_by_slug
from claimory.core.text import has_visible_text
from claimory.shops.models import Stage
from claimory.shops.permissions import authorize


@transaction.atomic
def claim_stage_set(
    *, claim: Claim, stage: Stage | str, actor: Any = None, channel: str = Channel.STAFF,
    actor_label: str = "",
) -> Claim:
    """Move the car to ``stage`` (a Stage of the claim's location or its slug)."""
    authorize(actor, "claim.stage_move", claim.location)
    if isinstance(stage, str):
        stage = stage_by_slug(claim.location, stage)
    if stage.location_id != claim.location_id:
        raise ValidationError({"stage": ["That stage belongs to another location."]})
    if stage.pk == claim.stage_id:
        return claim
    previous = claim.stage
    now = timezone.now()
    claim.stage = stage
    claim.stage_entered_at = now
    claim.delivered_at = now if stage.is_delivery else None
    claim.save(update_fields=["stage", "stage_entered_at", "delivered_at", "updated_at"])
    event_record(
        claim=claim, type=EventType.STAGE, actor=actor, actor_label=actor_label, channel=channel,
        customer_visible=True,
        data={"from": previous.slug, "from_name": previous.name, "to": stage.slug,
              "to_name": stage.name},
    )
    # Imported here: the notifications app builds on the claims services.
    from claimory.notifications.services import notify, stage_trigger

    notify(claim, stage_trigger(claim, stage), actor=actor)
    # Delivery schedules the post-repair survey; leaving delivery before it went cancels it.
    from claimory.survey.services import survey_on_stage

    survey_on_stage(claim, stage, previous)
    return claim


@transaction.atomic
def claim_eta_set(
    *, claim: Claim, eta: dt.date | None, reason: str = "", actor: Any = None,
    channel: str = Channel.STAFF, actor_label: str = "",
) -> Claim:
    """Change the ETA, keeping the first promised date; a moved date needs a reason."""
    authorize(actor, "claim.edit", claim.location)
    if eta == claim.eta:
        return claim
    errors: dict[str, list[str]] = {}
    eta_check(claim.location, eta, errors)
    reason = (reason or "").strip()
    if not has_visible_text(reason):
        reason = ""  # only invisible characters: the customer would read an empty reason
    # Once a date was promised, any new date is a move the customer deserves a reason for,
    # even when the ETA was cleared in between (clearing is not a fresh start).
    promised_before = claim.eta is not None or claim.eta_first_promised is not None
    if promised_before and eta is not None and not reason:
        errors.setdefault("eta_reason", []).append(
            "Say why the date moved — the customer sees the reason (e.g. waiting on a part)."
        )
    if claim.eta is not None and eta is None and not reason:
        errors.setdefault("eta_reason", []).append(
            "Say why there is no date any more — the customer sees the reason "
            "(e.g. waiting on the insurer's approval)."
        )
    if len(reason) > 200:
        errors.setdefault("eta_reason", []).append("Keep the reason under 200 characters.")
    if errors:
        raise ValidationError(errors)
    previous = claim.eta
    claim.eta = eta
    if claim.eta_first_promised is None:
        claim.eta_first_promised = eta
    claim.eta_reason = reason
    # Any change after the first promise is a change the customer is told about, clearing
    # and setting again included.
    claim.eta_changed_at = timezone.now() if promised_before else None
    claim.save(update_fields=["eta", "eta_first_promised", "eta_reason", "eta_changed_at",
                              "updated_at"])
    event_record(
        claim=claim, type=EventType.ETA, actor=actor, actor_label=actor_label, channel=channel,
        customer_visible=True,
        data={"eta": eta.isoformat() if eta else None,
              "previous": previous.isoformat() if previous else None,
              "first_promised": claim.eta_first_promised.isoformat()
              if claim.eta_first_promised else None,
              "reason": reason},
    )
    return claim
