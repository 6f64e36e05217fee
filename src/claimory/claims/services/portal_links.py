"""The claim's portal link: minted at intake, rotated or revoked by staff."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from claimory.claims import tokens
from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.shops.permissions import authorize


def mint_token(claim: Claim) -> str:
    claim.portal_token_salt = tokens.new_salt()
    token = tokens.derive_token(claim.pk, claim.portal_token_salt)
    claim.portal_token_hash = tokens.hash_token(token)
    claim.portal_token_issued_at = timezone.now()
    claim.portal_revoked_at = None
    return token


def portal_token(claim: Claim) -> str | None:
    """The claim's live portal token, rebuilt from its salt; None once revoked."""
    if not claim.portal_token_hash or claim.portal_revoked_at:
        return None
    token = tokens.derive_token(claim.pk, claim.portal_token_salt)
    # A changed SECRET_KEY makes the rebuilt token differ from the stored hash.
    return token if tokens.hash_token(token) == claim.portal_token_hash else None


@transaction.atomic
def portal_token_rotate(*, claim: Claim, actor: Any = None, channel: str = Channel.STAFF) -> str:
    """Issue a new link; the old one stops working at once."""
    authorize(actor, "portal_link.manage", claim.location)
    token = mint_token(claim)
    claim.save(update_fields=["portal_token_hash", "portal_token_salt", "portal_token_issued_at",
                              "portal_revoked_at", "updated_at"])
    event_record(claim=claim, type=EventType.PORTAL, actor=actor, channel=channel,
                 data={"action": "rotated"})
    return token


@transaction.atomic
def portal_token_revoke(*, claim: Claim, actor: Any = None, channel: str = Channel.STAFF) -> None:
    """Kill the link without issuing a new one (rotate to issue one later)."""
    authorize(actor, "portal_link.manage", claim.location)
    claim.portal_token_hash = None
    claim.portal_revoked_at = timezone.now()
    claim.save(update_fields=["portal_token_hash", "portal_revoked_at", "updated_at"])
    event_record(claim=claim, type=EventType.PORTAL, actor=actor, channel=channel,
                 data={"action": "revoked"})
