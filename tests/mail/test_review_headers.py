"""Hostile text in what we send (review of issue 11): CR/LF and other control characters in
subjects, display names and addresses never reach the wire as headers, never 500 a page, and
never leave a send retrying on bad data."""

from __future__ import annotations

import email

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from claimory.claims.models import Claim, Customer
from claimory.core import durable
from claimory.mail.models import MailMessage, MailStatus, Outgoing, OutgoingState
from claimory.mail.outgoing import build_mime, clean_addresses, mail_compose
from claimory.shops.models import Location
from tests.mail.rawmail import ON_POSTGRES

pytestmark = pytest.mark.django_db

HOSTILE = ["Evil\r\nBcc: victim@attacker.test", "Evil\nX-Injected: 1", "Nul\x00Byte",
           "Line\u2028Sep", "Next\x85Line", "Tab\x0bVT"]
# PostgreSQL text never holds NUL, so stored rows can't carry one there (parse strips it).
STORABLE = [name for name in HOSTILE if "\x00" not in name or not ON_POSTGRES]


EXPECTED = {"from", "to", "subject", "date", "message-id", "content-type",
            "content-transfer-encoding", "mime-version"}


def _header_names(raw: bytes) -> set[str]:
    return {name.lower() for name in email.message_from_bytes(raw).keys()} - {"cc"}


def _wire(mail: MailMessage) -> bytes:
    return build_mime(mail).as_bytes()


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_display_name_is_cleaned_when_the_address_is_read(name):
    try:
        people = clean_addresses([f'"{name}" <dana@example.test>'], "to")
    except ValidationError:  # the parser split it: refused, said on the field
        return
    [[clean, address]] = people
    assert address == "dana@example.test"
    assert not any(ch in clean for ch in "\r\n\x00\u2028\x85\x0b")


@pytest.mark.parametrize("name", STORABLE)
def test_build_mime_never_lets_a_name_or_subject_break_a_header(claim, smtp_mailbox, front_desk,
                                                                name):
    mail = mail_compose(claim=claim, actor=front_desk, to="dana@example.test", body="Hello",
                        subject="Estimate")
    # Data stored before the cleaning existed (or written by another path): still sendable.
    MailMessage.objects.filter(pk=mail.pk).update(
        subject=f"Estimate {name}", from_name=name, to=[[name, "dana@example.test"]],
        cc=[[name, "boss@example.test"]])
    mail.refresh_from_db()
    raw = _wire(mail)
    head = raw.split(b"\n\n", 1)[0]
    assert _header_names(raw) == EXPECTED
    assert b"\x00" not in head and b"\x0b" not in head and b"\r" not in head


def test_a_subject_with_a_line_break_is_queued_as_one_line(claim, smtp_mailbox, front_desk):
    mail = mail_compose(claim=claim, actor=front_desk, to="dana@example.test", body="Hi",
                        subject="Estimate\r\nBcc: victim@attacker.test")
    assert "\r" not in mail.subject and "\n" not in mail.subject
    _wire(mail)


def test_a_send_of_bad_stored_data_fails_at_once_not_after_retries(claim, smtp_mailbox, smtp,
                                                                   front_desk):
    mail = mail_compose(claim=claim, actor=front_desk, to="dana@example.test", body="Hello",
                        subject="Estimate")
    # An address the library refuses (written before validation existed): a clear failure.
    MailMessage.objects.filter(pk=mail.pk).update(to=[["Dana", "dana@exa\nmple.test"]])
    durable.run_due()
    mail.refresh_from_db()
    outgoing = Outgoing.objects.get(mail=mail)
    assert outgoing.state == OutgoingState.FAILED and outgoing.attempts == 1
    assert mail.status == MailStatus.FAILED
    assert "address" in outgoing.error.lower()
    assert smtp.received == []


def test_compose_form_with_control_characters_is_a_form_error_or_clean(claim, smtp_mailbox,
                                                                       front_desk):
    client = Client()
    client.force_login(front_desk)
    url = reverse("backoffice:mail_compose", args=[claim.pk])
    answer = client.post(url, {"to": '"Evil\nBcc: v@attacker.test" <dana@example.test>',
                               "subject": "Hi\r\nBcc: v@attacker.test", "body": "Hello"})
    assert answer.status_code in (302, 400)
    for mail in MailMessage.objects.filter(claim=claim):
        _wire(mail)  # whatever was queued builds


def test_customer_and_shop_names_with_line_breaks_still_email(claim, smtp_mailbox, front_desk):
    Customer.objects.filter(pk=claim.customer_id).update(name="Maria\r\nBcc: x@attacker.test")
    Location.objects.filter(pk=claim.location_id).update(name="Northside\nX-Evil: 1")
    claim = Claim.objects.get(pk=claim.pk)
    mail = mail_compose(claim=claim, actor=front_desk, to="dana@example.test", body="Hello",
                        subject="Estimate")
    MailMessage.objects.filter(pk=mail.pk).update(from_name="", to=[[claim.customer.name,
                                                                       "dana@example.test"]])
    mail.refresh_from_db()
    assert _header_names(_wire(mail)) == EXPECTED


def test_compose_refuses_a_non_text_subject():
    with pytest.raises(ValidationError):
        clean_addresses([1], "to")
