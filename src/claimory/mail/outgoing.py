"""Writing email from a claim so it threads everywhere: our own Message-ID on every message,
In-Reply-To and References set from the message answered, the claim's tag in the subject.

``mail_compose`` writes the message (status ``queued``) and its ``Outgoing`` row in one
transaction and schedules the send (core/durable.py); the worker builds the MIME message
with ``build_mime`` and hands it to the mailbox's SMTP server. Nothing is sent from a
request, and nothing a drafter wrote is sent without a person (drafts/services.py).
"""

from __future__ import annotations

import email.utils
import re
import unicodedata
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from claimory.claims.models import Claim
from claimory.core.durable import schedule
from claimory.mail.filing import mail_event
from claimory.mail.mailboxes import mailbox_usable
from claimory.mail.matching import tag_for
from claimory.mail.models import (
    Mailbox,
    MailDirection,
    MailMessage,
    MailStatus,
    Outgoing,
    Source,
)
from claimory.shops.permissions import require

MAX_BODY = 20_000
MAX_RECIPIENTS = 20
MAX_REFERENCES = 20
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd|rv)\s*(\[\d+\])?\s*:\s*)+", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class UnsendableMail(ValueError):
    """The stored message cannot be written as MIME (an address the library refuses): sending
    again cannot help, so the send fails at once with ``str(exc)`` for staff."""


def header_text(value: str) -> str:
    """``value`` safe inside one header: control characters and line breaks of any kind
    (CR, LF, NUL, U+2028, NEL…) become spaces, so no name or subject can start a header of
    its own or break the send."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
                   for ch in str(value or ""))
    return re.sub(r"\s+", " ", text).strip()


def mint_message_id(mailbox: Mailbox) -> str:
    """A new Message-ID on the shop's own domain (what receiving servers expect), opaque:
    matching looks it up in our table rather than decoding it."""
    domain = mailbox.address.rsplit("@", 1)[-1] or "claimory.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def thread_headers(parent: MailMessage | None) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for a reply to ``parent`` (RFC 5322 §3.6.4): the parent's
    References followed by the parent's own id, the oldest trimmed past twenty."""
    if parent is None:
        return "", []
    chain = [mid for mid in parent.references if mid != parent.message_id]
    chain.append(parent.message_id)
    return parent.message_id, chain[-MAX_REFERENCES:]


def reply_subject(subject: str) -> str:
    return f"Re: {_REPLY_PREFIX.sub('', subject).strip()}"


def subject_with_tag(subject: str, claim: Claim) -> str:
    """The subject with the claim's ``[RO-…]`` tag (added once, at the end)."""
    subject = header_text(_CONTROL.sub("", subject or ""))
    tag = tag_for(claim)
    if tag.lower() in subject.lower():
        return subject[:500]
    return f"{subject} {tag}".strip()[:500]


def clean_addresses(raw: Any, field: str) -> list[list[str]]:
    """[[name, address], …] from a comma/semicolon separated string or a list."""
    if raw in (None, ""):
        return []
    values = raw if isinstance(raw, list | tuple) else [raw]
    if not all(isinstance(value, str) for value in values):
        raise ValidationError({field: ["Give email addresses as text."]})
    people: list[list[str]] = []
    for name, address in email.utils.getaddresses([v.replace(";", ",") for v in values]):
        address = address.strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            shown = address or name or "(empty)"
            raise ValidationError({field: [f"“{shown[:80]}” is not an email address."]}) from None
        if address not in {a for _n, a in people}:
            people.append([header_text(name)[:200], address])
    if len(people) > MAX_RECIPIENTS:
        raise ValidationError({field: [f"At most {MAX_RECIPIENTS} addresses."]})
    return people


def clean_mail_body(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValidationError({"body": ["Write the email as plain text."]})
    body = _CONTROL.sub("", raw.replace("\r\n", "\n")).strip()
    if not body:
        raise ValidationError({"body": ["Write the email first."]})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": [f"Keep an email under {MAX_BODY:,} characters."]})
    return body


def usable_mailbox(claim: Claim) -> Mailbox:
    mailbox = Mailbox.objects.filter(location_id=claim.location_id).first()
    if mailbox is None:
        raise ValidationError({"mailbox": ["Connect the shop's mailbox first (Settings → "
                                           "Email)."]})
    if not mailbox_usable(mailbox):
        raise ValidationError({"mailbox": [f"The shop's mailbox needs reconnecting "
                                           f"(Settings → Email): {mailbox.state_reason}"]})
    return mailbox


@transaction.atomic
def mail_compose(*, claim: Claim, actor: Any, to: Any, body: Any, subject: Any = "",
                 cc: Any = None, bcc: Any = None, reply_to: MailMessage | None = None,
                 source: str = Source.COMPOSE) -> MailMessage:
    """Queue an email from the shop's mailbox about ``claim`` (a reply when ``reply_to``)."""
    require(actor, "message.send", claim.location)
    if reply_to is not None and reply_to.claim_id != claim.pk:
        raise ValidationError({"reply_to": ["That message is not on this claim."]})
    mailbox = usable_mailbox(claim)
    people = {"to": clean_addresses(to, "to"), "cc": clean_addresses(cc, "cc"),
              "bcc": clean_addresses(bcc, "bcc")}
    if not people["to"]:
        raise ValidationError({"to": ["Add at least one recipient."]})
    text = clean_mail_body(body)
    if not isinstance(subject, str):
        raise ValidationError({"subject": ["Write the subject as text."]})
    if not subject.strip():
        if reply_to is None:
            raise ValidationError({"subject": ["Add a subject."]})
        subject = reply_subject(reply_to.subject)
    in_reply_to, references = thread_headers(reply_to)
    mail = MailMessage.objects.create(
        location=claim.location, mailbox=mailbox, claim=claim,
        direction=MailDirection.OUTBOUND, status=MailStatus.QUEUED, source=source,
        message_id=mint_message_id(mailbox), in_reply_to=in_reply_to, references=references,
        subject=subject_with_tag(subject, claim), from_address=mailbox.address,
        from_name=mailbox.display_name or claim.location.name, body_text=text,
        sent_by=actor if getattr(actor, "is_authenticated", False) else None, **people)
    outgoing = Outgoing.objects.create(mail=mail)
    schedule(outgoing)
    mail_event(mail, "queued", actor=actor)
    return mail


def build_mime(mail: MailMessage, *, html: str | None = None,
               headers: dict[str, str] | None = None) -> EmailMessage:
    """The message as it goes on the wire (Bcc never appears in it: it is envelope-only)."""
    msg = EmailMessage()
    msg["From"] = _address(mail.from_name, mail.from_address)
    msg["To"] = [_address(name, address) for name, address in mail.to]
    if mail.cc:
        msg["Cc"] = [_address(name, address) for name, address in mail.cc]
    msg["Subject"] = header_text(mail.subject)
    msg["Date"] = email.utils.format_datetime(mail.created_at)
    msg["Message-ID"] = mail.message_id
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        msg["References"] = " ".join(mail.references)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(mail.body_text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def _address(name: str, address: str) -> Address:
    try:
        return Address(header_text(name), addr_spec=address)
    except (ValueError, IndexError) as exc:  # the library's word on a malformed address
        raise UnsendableMail(f"Not sent: “{header_text(address)[:80]}” is not an email "
                             "address the mail server can take.") from exc


def envelope_recipients(mail: MailMessage) -> list[str]:
    return [address for _name, address in [*mail.to, *mail.cc, *mail.bcc]]
