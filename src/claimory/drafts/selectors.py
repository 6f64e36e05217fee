"""Reading drafts: the ones waiting for a person on a claim, and one draft for a staff user."""

from __future__ import annotations

from django.http import Http404

from claimory.claims.models import Claim
from claimory.drafts.models import Draft, DraftChannel, DraftStatus


def drafts_waiting(claim: Claim) -> list[Draft]:
    """Message drafts (SMS/portal) of the claim nobody has sent or discarded yet, oldest
    first. Email drafts wait in the claim's Email section (``email_drafts_waiting``)."""
    return list(Draft.objects.filter(claim=claim, status=DraftStatus.DRAFTED)
                .exclude(channel=DraftChannel.EMAIL).order_by("created_at", "id"))


def email_drafts_waiting(claim: Claim) -> list[Draft]:
    return list(Draft.objects.filter(claim=claim, status=DraftStatus.DRAFTED,
                                     channel=DraftChannel.EMAIL).order_by("created_at", "id"))


def draft_get_for_claim(claim: Claim, draft_id: int) -> Draft:
    """A draft of ``claim`` (already gated for the user); any other id → 404."""
    draft = Draft.objects.filter(claim=claim, pk=draft_id).select_related("claim").first()
    if draft is None:
        raise Http404("No such draft.")
    return draft
