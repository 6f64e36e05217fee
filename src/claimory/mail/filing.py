"""Filing one received email: store it once, match it to a claim (matching.py), keep its
files, and put it on the claim's timeline — or in the inbox queue for a person to place.

The same function files mail from a mailbox sync and from ``claimory mail import``; the
Message-ID is stored once per location, so a message met twice (a sync resumed after a crash,
a file imported again) is filed once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.core.text import has_visible_text
from claimory.mail.matching import ClaimIndex, Match, match_mail
from claimory.mail.models import (
    MailAttachment,
    Mailbox,
    MailDirection,
    MailMessage,
    MailStatus,
    Participant,
    Role,
    message_key,
)
from claimory.mail.parse import MAX_ATTACHMENTS, ParsedMail, parse_mail
from claimory.messaging.services import MAX_BODY, message_receive
from claimory.photos.uploads import UploadRefused, upload_check
from claimory.shops.models import Location
from claimory.shops.permissions import require

SNIPPET = 140
_EXTENSIONS = {"pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
               "image/heif": "heic", "image/heic": "heic", "image/gif": "gif"}


@dataclass(frozen=True)
class Filed:
    mail: MailMessage
    created: bool  # False: this Message-ID was already here (nothing changed)


def _store_raw(location: Location, raw: bytes) -> str:
    return default_storage.save(f"mail/{location.pk}/raw/{uuid.uuid4().hex}.eml",
                                ContentFile(raw))


def _store_attachments(mail: MailMessage, parsed: ParsedMail) -> None:
    for attachment in parsed.attachments:
        row = MailAttachment(mail=mail, name=attachment.name[:120],
                             content_type=attachment.content_type[:100],
                             size=len(attachment.data))
        try:
            checked = upload_check(attachment.data, name=attachment.name, allow_pdf=True)
        except UploadRefused as exc:
            row.refused = str(exc)[:200]
        else:
            extension = "pdf" if checked.kind == "pdf" else _EXTENSIONS.get(
                checked.content_type, "bin")
            row.name = checked.name
            row.content_type = checked.content_type
            row.path = default_storage.save(
                f"mail/{mail.location_id}/files/{uuid.uuid4().hex}.{extension}",
                ContentFile(checked.raw))
        row.save()
    if parsed.more_files:
        MailAttachment.objects.create(
            mail=mail, name="more files", content_type="",
            refused=f"Only the first {MAX_ATTACHMENTS} files of an email are kept.")


def mail_event(mail: MailMessage, action: str, *, actor: Any = None, reason: str = "") -> None:
    """The claim's (staff-only) timeline line for an email."""
    to = ", ".join(address for _name, address in mail.to[:3])
    event_record(claim=mail.claim, type=EventType.EMAIL, channel=Channel.EMAIL, actor=actor,
                 actor_label="" if actor else (mail.from_name or mail.from_address),
                 data={"mail_id": mail.pk, "action": action, "direction": mail.direction,
                       "subject": mail.subject[:200], "from": mail.from_address, "to": to,
                       "snippet": mail.body_text[:SNIPPET], "reason": reason[:200]})


def mail_file(*, location: Location, raw: bytes, source: str, mailbox: Mailbox | None = None,
              uid: int | None = None, index: ClaimIndex | None = None) -> Filed:
    """File one message (raises parse.NotAnEmail for bytes that are not one)."""
    parsed = parse_mail(raw)
    existing = MailMessage.objects.filter(location=location,
                                          message_key=message_key(parsed.message_id)).first()
    if existing is not None:
        return Filed(existing, False)
    index = index or ClaimIndex.build(location)
    match: Match = match_mail(parsed, index)
    # The shop's own mail (a Sent folder imported, a copy to itself) is stored as sent.
    ours = index.sent_by_shop(parsed)
    raw_path = _store_raw(location, raw)
    try:
        with transaction.atomic():
            mail = MailMessage.objects.create(
                location=location, mailbox=mailbox, claim_id=match.claim_id,
                direction=MailDirection.OUTBOUND if ours else MailDirection.INBOUND,
                status=match.status, source=source,
                message_id=parsed.message_id[:998], in_reply_to=parsed.in_reply_to[:998],
                references=list(parsed.references), subject=parsed.subject,
                from_address=parsed.from_address, from_name=parsed.from_name,
                to=[list(p) for p in parsed.to], cc=[list(p) for p in parsed.cc],
                sent_at=parsed.sent_at, body_text=parsed.text, quoted_text=parsed.quoted,
                raw_path=raw_path, match_reason=match.reason[:200],
                candidates=list(match.candidates), uid=uid)
            _store_attachments(mail, parsed)
            if mail.claim_id is not None:
                mail_event(mail, "sent" if ours else "received", reason=match.reason)
                _customer_message(mail)
    except IntegrityError:  # another worker filed the same Message-ID a moment ago
        default_storage.delete(raw_path)
        return Filed(MailMessage.objects.get(location=location,
                                             message_key=message_key(parsed.message_id)), False)
    return Filed(mail, True)


def participant_learn(*, claim: Claim, address: str, name: str = "", role: str = Role.OTHER,
                      actor: Any = None) -> Participant | None:
    """Remember ``address`` as someone on ``claim``'s threads (unless the claim already
    knows it as its customer or adjuster)."""
    address = (address or "").strip().lower()
    if not address or address in {claim.customer.email.lower(), claim.adjuster_email.lower()}:
        return None
    participant, _ = Participant.objects.get_or_create(
        claim=claim, email=address,
        defaults={"name": name[:200], "role": role,
                  "added_by": actor if getattr(actor, "is_authenticated", False) else None})
    return participant


@transaction.atomic
def mail_attach(*, mail: MailMessage, claim: Claim, actor: Any) -> MailMessage:
    """A person puts an unmatched message on its claim — one click in the inbox — and the
    sender becomes a participant of that claim, so their next mail files itself."""
    mail = MailMessage.objects.select_for_update().get(pk=mail.pk)
    require(actor, "inbox.triage", claim.location)
    if mail.location_id != claim.location_id:
        raise ValueError("The message and the claim are at different locations.")
    mail.claim = claim
    mail.status = MailStatus.FILED
    mail.attached_by = actor
    mail.match_reason = "attached by staff"
    mail.save(update_fields=["claim", "status", "attached_by", "match_reason", "updated_at"])
    if mail.direction == MailDirection.INBOUND:  # the shop's own mail: its sender is us
        participant_learn(claim=claim, address=mail.from_address, name=mail.from_name,
                          actor=actor)
    mail_event(mail, "attached", actor=actor)
    _customer_message(mail)
    _attach_replies(mail, claim, actor)
    return mail


def _customer_message(mail: MailMessage) -> None:
    """The claim's customer wrote by email: their words join the conversation like a text
    or a portal message would (portal thread, inbox waiting for an answer). Adjusters' and
    others' mail stays staff-only on the claim's email threads."""
    claim = Claim.objects.select_related("customer").get(pk=mail.claim_id)
    customer_email = claim.customer.email.strip().lower()
    if (mail.direction != MailDirection.INBOUND or not customer_email
            or mail.from_address != customer_email or mail.portal_message_id is not None):
        return
    text = mail.body_text.strip()
    if not has_visible_text(text):
        names = ", ".join(a.name for a in mail.attachments.all()[:3])
        text = f"(an email{' with ' + names if names else ''}: {mail.subject or 'no subject'})"
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY - 40].rstrip() + "\n… (the whole email is on the claim)"
    message = message_receive(claim=claim, body=text, channel=Channel.EMAIL,
                              provider_id=mail.message_id[:120])
    mail.portal_message = message
    mail.save(update_fields=["portal_message", "updated_at"])


def _attach_replies(mail: MailMessage, claim: Claim, actor: Any) -> None:
    """Unmatched replies to a message just placed follow it: their thread headers name it."""
    waiting = MailMessage.objects.select_for_update().filter(
        location_id=mail.location_id, status=MailStatus.UNMATCHED)
    for reply in waiting:
        if reply.in_reply_to == mail.message_id or mail.message_id in reply.references:
            reply.claim = claim
            reply.status = MailStatus.FILED
            reply.attached_by = actor
            reply.match_reason = f"thread: answers {mail.message_id}"[:200]
            reply.save(update_fields=["claim", "status", "attached_by", "match_reason",
                                      "updated_at"])
            mail_event(reply, "attached", actor=actor, reason="answers a message placed here")
            _attach_replies(reply, claim, actor)
