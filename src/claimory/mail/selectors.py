"""Reading mail for a staff user: a claim's threads and people, the inbox's mail to place, and
one message or attachment — always through the user's locations (anything else → 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from claimory.claims.models import Claim
from claimory.mail.models import (
    MailAttachment,
    Mailbox,
    MailMessage,
    MailStatus,
    Participant,
    Role,
    message_key,
)
from claimory.shops.selectors import locations_for_user


def mail_when(mail: MailMessage) -> dt.datetime:
    """When a message happened, for ordering: its Date header, else when we stored it."""
    return mail.sent_at or mail.created_at


@dataclass
class MailThread:
    """One conversation on a claim: its messages oldest first."""

    messages: list[MailMessage] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return self.messages[0].subject if self.messages else ""

    @property
    def last_at(self) -> dt.datetime:
        return mail_when(self.messages[-1])


def _root(parent: dict[int, int], pk: int) -> int:
    while parent[pk] != pk:
        parent[pk] = parent[parent[pk]]
        pk = parent[pk]
    return pk


def group_threads(mails: list[MailMessage]) -> list[MailThread]:
    """Messages joined into threads by their References / In-Reply-To chains.

    A message joins the thread of every stored message its chain names (so a reply whose
    client dropped References still joins through the message it answers); one that names
    none we have starts its own thread. Threads are ordered by their latest message, the
    most recent first; a thread's messages oldest first.
    """
    by_key = {mail.message_key: mail.pk for mail in mails}
    parent = {mail.pk: mail.pk for mail in mails}
    for mail in mails:
        for mid in [*mail.references, mail.in_reply_to]:
            other = by_key.get(message_key(mid)) if mid else None
            if other is not None:
                a, b = _root(parent, mail.pk), _root(parent, other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    threads: dict[int, MailThread] = {}
    for mail in sorted(mails, key=lambda m: (mail_when(m), m.pk)):
        threads.setdefault(_root(parent, mail.pk), MailThread()).messages.append(mail)
    return sorted(threads.values(), key=lambda t: t.last_at, reverse=True)


def claim_mail(claim: Claim) -> list[MailMessage]:
    """Every message on the claim (the caller already gated the claim), with its files and
    send state."""
    return list(MailMessage.objects.filter(claim=claim)
                .select_related("outgoing", "sent_by", "attached_by")
                .prefetch_related("attachments")
                .order_by("created_at", "id"))


def claim_threads(claim: Claim) -> list[MailThread]:
    return group_threads(claim_mail(claim))


@dataclass(frozen=True)
class Person:
    """Someone on the claim's email: from the claim itself (customer, adjuster) or a
    Participant row (``participant`` set, so it can be removed)."""

    email: str
    name: str
    role: str
    role_label: str
    participant: Participant | None = None


def claim_people(claim: Claim) -> list[Person]:
    """The claim's customer and adjuster (from its fields) and every participant row."""
    people: list[Person] = []
    if claim.customer.email:
        people.append(Person(claim.customer.email.lower(), claim.customer.name,
                             Role.CUSTOMER, "Customer"))
    if claim.adjuster_email:
        people.append(Person(claim.adjuster_email.lower(), claim.adjuster_name,
                             Role.ADJUSTER, "Adjuster"))
    for row in Participant.objects.filter(claim=claim).order_by("role", "email"):
        people.append(Person(row.email, row.name, row.role, row.get_role_display(), row))
    return people


def mailbox_of(claim: Claim) -> Mailbox | None:
    return Mailbox.objects.filter(location_id=claim.location_id).first()


def _mail_for_user(user) -> QuerySet[MailMessage]:
    return (MailMessage.objects.filter(location__in=locations_for_user(user))
            .select_related("location", "claim"))


def unmatched_mail_for_user(user) -> QuerySet[MailMessage]:
    """Mail waiting for a person to pick its claim, at the user's locations, newest first."""
    return _mail_for_user(user).filter(status=MailStatus.UNMATCHED).order_by("-created_at", "-id")


def kept_out_mail_for_user(user) -> QuerySet[MailMessage]:
    """Mail kept out of claims (auto-replies, bounces, bulk, dismissed), newest first."""
    return _mail_for_user(user).filter(status=MailStatus.IGNORED).order_by("-created_at", "-id")


def mail_get_for_user(user, mail_id: int | str) -> MailMessage:
    """One message at the user's locations, or Http404."""
    try:
        pk = int(mail_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such email") from exc
    mail = (_mail_for_user(user).filter(pk=pk).select_related("outgoing")
            .prefetch_related("attachments").first())
    if mail is None:
        raise Http404("No such email")
    return mail


def attachment_get_for_user(user, attachment_id: int | str) -> MailAttachment:
    """One kept attachment of a message at the user's locations, or Http404 (refused files
    have nothing to serve)."""
    try:
        pk = int(attachment_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such file") from exc
    row = (MailAttachment.objects.filter(pk=pk, mail__location__in=locations_for_user(user))
           .exclude(path="").select_related("mail", "mail__location").first())
    if row is None:
        raise Http404("No such file")
    return row


def mail_reply_people(mail: MailMessage, *, everyone: bool,
                      own: set[str]) -> tuple[list[list[str]], list[list[str]]]:
    """(To, Cc) for a reply to ``mail``: the sender (our own message: its recipients); with
    ``everyone`` also the other recipients, never the shop's own addresses (``own``)."""
    if mail.from_address.lower() in own:
        to = [list(p) for p in mail.to]
        cc = [list(p) for p in mail.cc] if everyone else []
    else:
        to = [[mail.from_name, mail.from_address]]
        cc = [list(p) for p in [*mail.to, *mail.cc]] if everyone else []
    seen: set[str] = set(own)
    to_out, cc_out = [], []
    for people, out in ((to, to_out), (cc, cc_out)):
        for name, address in people:
            if address and address.lower() not in seen:
                seen.add(address.lower())
                out.append([name, address])
    return to_out, cc_out
