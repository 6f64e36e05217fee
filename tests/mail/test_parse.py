"""Reading mail written by anyone: encoded headers, HTML-only bodies, quoted history,
missing ids, and bytes that are no email at all."""

from __future__ import annotations

import pytest

from claimory.mail.parse import NotAnEmail, html_to_text, parse_mail, split_quoted
from tests.mail.rawmail import raw_mail


def test_encoded_headers_are_decoded():
    raw = (b"From: =?utf-8?q?Luis_Pe=C3=B1a?= <Luis.Pena@Example.com>\r\n"
           b"To: shop@x.example\r\nSubject: =?utf-8?b?cmVwYXJhY2nDs24=?=\r\n"
           b"Message-ID: <a@b>\r\n\r\nHola\r\n")
    mail = parse_mail(raw)
    assert (mail.from_name, mail.from_address) == ("Luis Peña", "luis.pena@example.com")
    assert mail.subject == "reparación"


def test_a_message_without_message_id_gets_a_stable_one():
    raw = b"From: a@b.example\r\nSubject: hi\r\n\r\nbody\r\n"
    assert parse_mail(raw).message_id == parse_mail(raw).message_id
    assert parse_mail(raw).message_id.endswith("@no-message-id.claimory.invalid>")


@pytest.mark.parametrize("raw", [b"", b"   \n", b"\x00\x01\x02garbage", b"just some words\n"])
def test_bytes_that_are_no_email_are_refused(raw):
    with pytest.raises(NotAnEmail):
        parse_mail(raw)


def test_html_only_body_becomes_text():
    mail = parse_mail(raw_mail(body="", html="<p>Claim&nbsp;<b>X-1</b></p><script>x()</script>"))
    assert mail.text == "Claim X-1"
    assert html_to_text("<style>p{}</style>a<br>b") == "a\nb"


FORWARDED = "---------- Forwarded message ---------\nVIN X"


@pytest.mark.parametrize("text,new", [
    ("Thanks!\n\nOn Tue, Shop <s@x> wrote:\n> old", "Thanks!"),
    ("Ok.\n-----Original Message-----\nFrom: shop", "Ok."),
    ("Fine.\n\nFrom: Shop <s@x>\nSent: Monday\nTo: me", "Fine."),
    ("Gracias.\n\nEl lun, Taller escribió:\n> viejo", "Gracias."),
    (FORWARDED, FORWARDED),
])
def test_quoted_history_is_split_off(text, new):
    assert split_quoted(text)[0] == new


def test_thread_ids_are_nearest_first_and_unique():
    mail = parse_mail(raw_mail(in_reply_to="<c@x>", references="<a@x> <b@x> <c@x>"))
    assert mail.thread_ids == ("<c@x>", "<b@x>", "<a@x>")


def test_attachments_are_listed():
    mail = parse_mail(raw_mail(attachments=[("card.jpg", "image/jpeg", b"\xff\xd8\xff...")]))
    assert [a.name for a in mail.attachments] == ["card.jpg"]


def test_a_malformed_date_and_address_do_not_fail_the_message():
    raw = (b"From: not an address\r\nTo: ,,,\r\nDate: yesterday-ish\r\n"
           b"Message-ID: <m@x>\r\nSubject: x\r\n\r\nbody\r\n")
    mail = parse_mail(raw)
    assert mail.sent_at is None and mail.from_address == "" and mail.to == ()
