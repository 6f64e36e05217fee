"""Adding and removing the people on a claim's email (adjusters, appraisers, others) by hand.
The claim's customer and adjuster come from the claim itself and are edited there."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from claimory.claims.models import Claim
from claimory.mail.models import Participant, Role
from claimory.mail.outgoing import header_text
from claimory.shops.permissions import authorize


def _clean(email: Any, name: Any, role: Any) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    email = email.strip().lower() if isinstance(email, str) else ""
    name = header_text(name) if isinstance(name, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter an email address, like adjuster@carrier.com."
                           if not email else f"“{email[:80]}” is not an email address."]
    if len(name) > 200:
        errors["name"] = ["Keep the name under 200 characters."]
    if role not in Role.values:
        errors["role"] = ["Pick a role: customer, adjuster, appraiser or other."]
    if errors:
        raise ValidationError(errors)
    return email, name, role


@transaction.atomic
def participant_add(*, claim: Claim, actor: Any, email: Any, name: Any = "",
                    role: Any = Role.OTHER) -> Participant:
    """Someone new on the claim's email; their mail then files itself onto this claim."""
    authorize(actor, "claim.edit", claim.location)
    email, name, role = _clean(email, name, role)
    if email == (claim.customer.email or "").lower():
        raise ValidationError({"email": ["That is the customer's address already."]})
    if email == (claim.adjuster_email or "").lower():
        raise ValidationError({"email": ["That is the claim's adjuster already."]})
    if Participant.objects.filter(claim=claim, email=email).exists():
        raise ValidationError({"email": [f"{email} is already on this claim."]})
    return Participant.objects.create(
        claim=claim, email=email, name=name, role=role,
        added_by=actor if getattr(actor, "is_authenticated", False) else None)


def participant_remove(*, participant: Participant, actor: Any) -> None:
    """Take someone off the claim's email (their mail no longer files here by sender)."""
    authorize(actor, "claim.edit", participant.claim.location)
    participant.delete()
