"""Shared pieces of the staff email tests: the shop's connected mailbox and mail built as
bytes (filed through mail_file, exactly as a sync would)."""

from __future__ import annotations

import email.utils
from email.message import EmailMessage

import pytest

from claimory.mail.filing import mail_file
from claimory.mail.models import Mailbox, Source

SHOP = "service@northside.test"


@pytest.fixture
def mailbox(location):
    return Mailbox.objects.create(location=location, provider="imap", address=SHOP,
                                  display_name="Northside Collision", imap_host="127.0.0.1",
                                  smtp_host="127.0.0.1", username=SHOP)


def raw_mail(*, sender: str, subject: str, body: str, message_id: str,
             to: str = SHOP, cc: str = "", in_reply_to: str = "", references: str = "",
             files: tuple[tuple[str, str, bytes], ...] = (), date: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = date or email.utils.formatdate(localtime=False)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    msg.set_content(body)
    for name, ctype, data in files:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def file_mail(location, **kwargs):
    return mail_file(location=location, raw=raw_mail(**kwargs), source=Source.IMPORT).mail


ADJUSTER = "dana.adjuster@carrier.test"


@pytest.fixture
def adj_claim(claim):
    """The shared ``claim`` with an adjuster whose mail it gets."""
    from claimory.claims.models import Claim

    Claim.objects.filter(pk=claim.pk).update(adjuster_name="Dana Reyes", adjuster_email=ADJUSTER)
    claim.refresh_from_db()
    return claim
