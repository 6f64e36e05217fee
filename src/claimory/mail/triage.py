"""The inbox's mail queue: a person places an unmatched message on its claim, or says it is
not about a claim (it leaves the queue, kept out like auto-replies and bulk mail)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from claimory.claims.models import Claim
from claimory.mail.filing import mail_attach
from claimory.mail.models import MailMessage, MailStatus
from claimory.shops.permissions import require

DISMISSED = "dismissed by staff"


def _waiting(mail: MailMessage) -> None:
    if mail.status != MailStatus.UNMATCHED:
        where = f" (claim {mail.claim})" if mail.claim_id else ""
        raise ValidationError({"mail": [f"This email was already placed: "
                                        f"{mail.get_status_display().lower()}{where}."]})


@transaction.atomic
def mail_place(*, mail: MailMessage, claim: Claim, actor: Any) -> MailMessage:
    """Attach a waiting message to ``claim`` (filing.mail_attach, which also teaches the
    participants table). Mail already on a claim or kept out is refused, not moved — also
    when two people click at once (the row is locked before its status is read)."""
    mail = MailMessage.objects.select_for_update().get(pk=mail.pk)
    _waiting(mail)
    if mail.location_id != claim.location_id:
        raise ValidationError({"claim": ["That claim is at another location."]})
    return mail_attach(mail=mail, claim=claim, actor=actor)


@transaction.atomic
def mail_dismiss(*, mail: MailMessage, actor: Any) -> MailMessage:
    """"Not about a claim": the message leaves the queue (status ignored), nothing is sent."""
    mail = MailMessage.objects.select_for_update().select_related("location").get(pk=mail.pk)
    require(actor, "inbox.triage", mail.location)
    _waiting(mail)
    mail.status = MailStatus.IGNORED
    mail.match_reason = DISMISSED
    mail.attached_by = actor
    mail.save(update_fields=["status", "match_reason", "attached_by", "updated_at"])
    return mail
