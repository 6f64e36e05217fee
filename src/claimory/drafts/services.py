"""Writing drafts: create one from the claim's facts, discard it, or — a person — send it.

The rule: **nothing a drafter wrote reaches anyone unless a person approved it.**
Email drafts follow it the same way: ``draft_send_email`` → ``_send_approved_email`` →
``mail_compose`` (queued, sent by the worker).
``draft_send`` is the only way from a Draft to ``message_send``; it takes a signed-in user
holding ``message.send`` at the claim's location, records them as the approver (with the
text as they edited it), and only then sends through ``_send_approved``, which refuses any
draft not approved by a real user. The database refuses an approved/sent draft without an
approver too (``Draft.Meta.constraints``). There is no automatic or API path that sends one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Claim, EventType
from claimory.drafts.context import EMAIL_CHARS, draft_context, email_draft_context
from claimory.drafts.drafters import Drafter, DrafterError, drafter
from claimory.drafts.models import Draft, DraftChannel, DraftStatus
from claimory.mail.models import MailMessage
from claimory.mail.outgoing import clean_mail_body, mail_compose
from claimory.messaging.models import Message
from claimory.messaging.services import clean_body, message_send
from claimory.shops.permissions import authorize, require


class DraftNotApproved(PermissionDenied):
    """Something tried to send a draft no person approved."""


def _person(actor: Any) -> bool:
    """A signed-in, active staff user — not the system, not an API key, not anonymous."""
    return (isinstance(actor, get_user_model()) and actor.is_authenticated
            and actor.is_active)


def _event(draft: Draft, action: str, actor: Any) -> None:
    event_record(claim=draft.claim, type=EventType.DRAFT, actor=actor,
                 data={"draft_id": draft.pk, "action": action, "body": draft.body,
                       "channel": draft.channel, "drafter": draft.drafter})


def draft_create(*, claim: Claim, actor: Any, using: Drafter | None = None,
                 channel: str = DraftChannel.SMS) -> Draft:
    """Ask the drafter for a reply to the customer and keep it as a draft (not sent).

    The drafter (maybe a network call) runs outside any transaction; when it fails,
    DrafterError says why and nothing is written.
    """
    authorize(actor, "message.send", claim.location)
    context = draft_context(claim)
    writer = using or drafter()
    text = writer.draft(context)  # raises DrafterError
    try:
        body = clean_body(text)[:1000]
    except ValidationError as exc:  # e.g. only invisible characters came back
        raise DrafterError("The drafter wrote nothing usable. Write the reply yourself.") \
            from exc
    with transaction.atomic():
        draft = Draft.objects.create(
            claim=claim, channel=channel, body=body, drafter=writer.name, context=context,
            created_by=actor if _person(actor) else None)
        _event(draft, "drafted", actor)
    return draft


@transaction.atomic
def draft_discard(*, draft: Draft, actor: Any) -> Draft:
    """Throw a draft away; only a draft still waiting for a person can be discarded."""
    draft = Draft.objects.select_for_update().select_related("claim__location").get(pk=draft.pk)
    authorize(actor, "message.send", draft.claim.location)
    if draft.status != DraftStatus.DRAFTED:
        raise ValidationError({"draft": [f"This draft was already {draft.status}."]})
    draft.status = DraftStatus.DISCARDED
    draft.save(update_fields=["status", "updated_at"])
    _event(draft, "discarded", actor)
    return draft


@transaction.atomic
def draft_send(*, draft: Draft, actor: Any, body: Any) -> Message:
    """A person approves the draft — as they edited it to ``body`` — and it is sent.

    The only way a draft reaches the customer. ``actor`` must be a signed-in user who may
    message customers at the claim's location; the system (``None``) and API keys may not.
    """
    draft = _approve(draft, actor, email=False, body=lambda: clean_body(body))
    return _send_approved(draft)


def _approve(draft: Draft, actor: Any, *, email: bool, body: Any) -> Draft:
    """The one gate from a draft to a send (text or email): a signed-in person who may
    message customers at the claim's location approves a draft still waiting, on its own
    channel, as they edited it (``body()`` cleans their text); they are its approver."""
    if not _person(actor):
        raise DraftNotApproved("A person must read and approve a draft before it is sent.")
    draft = Draft.objects.select_for_update().select_related("claim__location").get(pk=draft.pk)
    require(actor, "message.send", draft.claim.location)
    if draft.status != DraftStatus.DRAFTED:
        raise ValidationError({"draft": [f"This draft was already {draft.status}."]})
    if email and draft.channel != DraftChannel.EMAIL:
        raise ValidationError({"draft": ["This draft is a text, not an email."]})
    if not email and draft.channel == DraftChannel.EMAIL:
        raise ValidationError({"draft": ["This is an email draft: send it from the claim's "
                                         "Email section."]})
    draft.body = body()
    draft.status = DraftStatus.APPROVED
    draft.approved_by = actor
    draft.approved_at = timezone.now()
    draft.save(update_fields=["body", "status", "approved_by", "approved_at", "updated_at"])
    return draft


def _send_approved(draft: Draft) -> Message:
    """Send a draft a person approved (inside draft_send's transaction). Refuses anything
    else, whoever calls it."""
    approver = draft.approved_by
    if (draft.status != DraftStatus.APPROVED or draft.approved_at is None
            or not _person(approver)):
        raise DraftNotApproved("This draft has not been approved by a person.")
    message = message_send(claim=draft.claim, body=draft.body, actor=approver)
    draft.status = DraftStatus.SENT
    draft.sent_message = message
    draft.save(update_fields=["status", "sent_message", "updated_at"])
    _event(draft, "approved", approver)
    return message


def draft_create_email(*, claim: Claim, actor: Any, reply_to: MailMessage | None = None,
                       using: Drafter | None = None) -> Draft:
    """Ask the drafter for an email about the claim (an answer to ``reply_to`` when given);
    kept as a draft, never sent by itself. DrafterError when the drafter fails."""
    authorize(actor, "message.send", claim.location)
    if reply_to is not None and reply_to.claim_id != claim.pk:
        raise ValidationError({"reply_to": ["That message is not on this claim."]})
    context = email_draft_context(claim, reply_to=reply_to)
    writer = using or drafter()
    text = writer.draft(context)  # raises DrafterError
    try:
        body = clean_mail_body(text)[:EMAIL_CHARS * 2]
    except ValidationError as exc:
        raise DrafterError("The drafter wrote nothing usable. Write the email yourself.") \
            from exc
    with transaction.atomic():
        draft = Draft.objects.create(
            claim=claim, channel=DraftChannel.EMAIL, body=body, drafter=writer.name,
            context=context, created_by=actor if _person(actor) else None)
        _event(draft, "drafted", actor)
    return draft


@transaction.atomic
def draft_send_email(*, draft: Draft, actor: Any, to: Any, subject: Any, body: Any,
                     cc: Any = None, bcc: Any = None,
                     reply_to: MailMessage | None = None) -> MailMessage:
    """A person approves an email draft — as they edited it — and it is queued to send
    through mail_compose. The same rules as ``draft_send``: only a signed-in person who may
    message customers at the claim's location, only a draft still waiting; they are recorded
    as its approver. A refused send (bad address, no mailbox) leaves the draft waiting."""
    draft = _approve(draft, actor, email=True, body=lambda: clean_mail_body(body))
    return _send_approved_email(draft, to=to, subject=subject, cc=cc, bcc=bcc,
                                reply_to=reply_to)


def _send_approved_email(draft: Draft, *, to: Any, subject: Any, cc: Any = None,
                         bcc: Any = None, reply_to: MailMessage | None = None) -> MailMessage:
    """Queue an email draft a person approved (inside draft_send_email's transaction).
    Refuses anything else, whoever calls it: nothing is queued."""
    approver = draft.approved_by
    if (draft.status != DraftStatus.APPROVED or draft.approved_at is None
            or not _person(approver) or draft.channel != DraftChannel.EMAIL):
        raise DraftNotApproved("This draft has not been approved by a person.")
    mail = mail_compose(claim=draft.claim, actor=approver, to=to, subject=subject,
                        body=draft.body, cc=cc, bcc=bcc, reply_to=reply_to)
    draft.status = DraftStatus.SENT
    draft.sent_mail = mail
    draft.save(update_fields=["status", "sent_mail", "updated_at"])
    _event(draft, "approved", approver)
    return mail


__all__ = ["DraftNotApproved", "DrafterError", "draft_create", "draft_create_email",
           "draft_discard", "draft_send", "draft_send_email"]
