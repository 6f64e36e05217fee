"""Customer emails: a portal message (staff reply, notification) sent from the shop's own
mailbox to a customer who opted in, checked as the bytes a real SMTP server received."""

from __future__ import annotations

import re

import pytest
from django.db import transaction

from claimory.claims.models import Channel, Customer
from claimory.core import durable
from claimory.mail.credentials import ReconnectNeeded
from claimory.mail.filing import mail_file
from claimory.mail.models import MailboxState, MailMessage, MailStatus, Source
from claimory.mail.unsubscribe import unsubscribe_url
from claimory.messaging.models import Delivery, DeliveryState
from claimory.messaging.services import message_send
from claimory.notifications.services import notify_document, templates_approve_all
from claimory.printables.qr import portal_url
from tests.factories import make_claim
from tests.mail.smtp_sink import (  # noqa: F401 - the fixtures smtp_sink, transport
    make_mailbox,
    smtp_sink_fixture,
    transport_fixture,
)

pytestmark = pytest.mark.django_db


def _opt_in(claim, *, email: str | None = None, sms: bool = True, phone: str | None = None):
    changes = {"email": email} if email else {}
    if phone is not None:
        changes["phone"] = phone
    Customer.objects.filter(pk=claim.customer_id).update(email_opt_in=True, sms_opt_in=sms,
                                                         **changes)
    claim.customer.refresh_from_db()
    return claim


@pytest.fixture
def mailbox(location):
    return make_mailbox(location)


@pytest.fixture
def emailable(location, mailbox, front_desk):
    return _opt_in(make_claim(location, actor=front_desk, name="Maria Lopez"))


def _send(claim, actor, body, capture):
    with capture(execute=True):
        return message_send(claim=claim, body=body, actor=actor)


def _email_delivery(message) -> Delivery:
    return Delivery.objects.get(message=message, channel=Channel.EMAIL)


def test_an_opted_in_customer_gets_a_multipart_email_with_a_real_unsubscribe(
        emailable, front_desk, smtp_sink, django_capture_on_commit_callbacks):
    message = _send(emailable, front_desk, "Your car is ready at 3 pm.",
                    django_capture_on_commit_callbacks)
    delivery = _email_delivery(message)
    assert delivery.state == DeliveryState.SENT and delivery.sent_at
    assert delivery.to == emailable.customer.email and delivery.sender == "office@northside.test"
    mail = MailMessage.objects.get(portal_message=message)
    assert mail.status == MailStatus.SENT and mail.source == Source.NOTIFICATION
    assert mail.claim_id == emailable.pk and mail.direction == "out"

    [(envelope_from, envelope_to, _raw)] = smtp_sink.received
    assert envelope_from == "office@northside.test"
    assert envelope_to == [emailable.customer.email]
    [wire] = smtp_sink.messages()
    assert wire["Message-ID"] == mail.message_id
    assert mail.message_id.endswith("@northside.test>")
    assert wire["From"].addresses[0].addr_spec == "office@northside.test"
    assert wire["Subject"] == "Northside Collision: your 2019 Honda Accord repair " \
                              f"[{emailable.ro_number}]"
    assert wire["List-Unsubscribe"] == f"<{unsubscribe_url(emailable.customer)}>"
    assert wire["List-Unsubscribe"].startswith("<http")
    assert wire["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert wire["Content-Language"] == "en"
    assert wire["Auto-Submitted"] is None  # a person wrote this one
    assert wire.get_content_type() == "multipart/alternative"
    text = wire.get_body(("plain",)).get_content()
    html = wire.get_body(("html",)).get_content()
    assert text.startswith("Your car is ready at 3 pm.")
    assert f"Follow your repair: {portal_url(emailable)}" in text
    assert f"Stop these emails: {unsubscribe_url(emailable.customer)}" in text
    assert 'lang="en"' in html and "Your car is ready at 3 pm." in html
    assert f'href="{portal_url(emailable)}"' in html
    assert f'href="{unsubscribe_url(emailable.customer)}"' in html
    # No remote images, no tracking pixels, no scripts: everything is inline.
    assert "<img" not in html and "<script" not in html and "<link" not in html
    assert 'role="presentation"' in html
    states = [e.data["state"] for e in emailable.events.filter(type="delivery",
                                                               data__channel="email")]
    assert states == ["sent"]


def test_a_spanish_customer_gets_it_in_spanish(location, mailbox, front_desk, smtp_sink,
                                               django_capture_on_commit_callbacks):
    claim = _opt_in(make_claim(location, actor=front_desk, name="Lucía Gómez", language="es"))
    _send(claim, front_desk, "Su carro está listo.", django_capture_on_commit_callbacks)
    [wire] = smtp_sink.messages()
    assert wire["Subject"].startswith("Northside Collision: la reparación de su 2019 Honda Accord")
    assert wire["Content-Language"] == "es"
    text = wire.get_body(("plain",)).get_content()
    html = wire.get_body(("html",)).get_content()
    assert "Siga la reparación:" in text
    assert "Dejar de recibir estos correos:" in text
    assert 'lang="es"' in html and "Abrir la página de su reparación" in html
    assert "Cancelar la suscripción" in html


def test_brand_colour_leads_the_html_on_branding_plans(location, mailbox, front_desk,
                                                       smtp_sink,
                                                       django_capture_on_commit_callbacks):
    location.workspace.plan = "professional"
    location.workspace.save()
    location.brand_color = "#b91c1c"
    location.save()
    claim = _opt_in(make_claim(location, actor=front_desk))
    _send(claim, front_desk, "Hello", django_capture_on_commit_callbacks)
    html = smtp_sink.messages()[0].get_body(("html",)).get_content()
    assert "background:#b91c1c" in html


def test_a_notification_is_emailed_to_an_email_only_customer(
        location, mailbox, front_desk, smtp_sink, django_capture_on_commit_callbacks):
    templates_approve_all(location=location)
    claim = _opt_in(make_claim(location, actor=front_desk), sms=False, phone="")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = notify_document(claim, "Repair authorization")
    assert message is not None
    assert list(Delivery.objects.filter(message=message).values_list("channel", flat=True)) \
        == ["email"]
    [wire] = smtp_sink.messages()
    assert wire["Auto-Submitted"] == "auto-generated"
    text = wire.get_body(("plain",)).get_content()
    assert "ready to sign" in text
    # The notification's own words carry the portal link; it is not repeated.
    assert text.count(portal_url(claim)) == 1
    event = claim.events.filter(type="notification").latest("seq")
    assert event.data["channels"] == ["email"]


@pytest.mark.parametrize("change", ["opted_out", "no_email"])
def test_no_email_delivery_without_consent_or_address(change, location, mailbox, front_desk,
                                                      django_capture_on_commit_callbacks):
    claim = make_claim(location, actor=front_desk)
    if change == "no_email":
        _opt_in(claim)
        Customer.objects.filter(pk=claim.customer_id).update(email="")
        claim.customer.refresh_from_db()
    message = _send(claim, front_desk, "Portal and text only",
                    django_capture_on_commit_callbacks)
    assert not Delivery.objects.filter(message=message, channel=Channel.EMAIL).exists()
    assert not MailMessage.objects.exists()


def test_no_mailbox_means_not_sent_and_the_timeline_says_why(
        location, front_desk, smtp_sink, django_capture_on_commit_callbacks):
    claim = _opt_in(make_claim(location, actor=front_desk))
    message = _send(claim, front_desk, "Hello", django_capture_on_commit_callbacks)
    delivery = _email_delivery(message)
    assert delivery.state == DeliveryState.NOT_SENT
    assert "no connected mailbox" in delivery.error_detail
    event = claim.events.get(type="delivery", data__channel="email")
    assert event.data["state"] == "not_sent" and "Settings → Email" in event.data["reason"]
    assert smtp_sink.received == []


def test_a_mailbox_needing_reconnect_sends_nothing(emailable, mailbox, front_desk, smtp_sink,
                                                   django_capture_on_commit_callbacks):
    mailbox.state, mailbox.state_reason = MailboxState.RECONNECT, "Token revoked"
    mailbox.save()
    message = _send(emailable, front_desk, "Hello", django_capture_on_commit_callbacks)
    delivery = _email_delivery(message)
    assert delivery.state == DeliveryState.NOT_SENT
    assert "needs reconnecting" in delivery.error_detail and "Token revoked" in \
        delivery.error_detail


def test_unsubscribing_while_queued_stops_the_send(emailable, front_desk, smtp_sink):
    message = message_send(claim=emailable, body="Queued, not yet sent", actor=front_desk)
    Customer.objects.filter(pk=emailable.customer_id).update(email_opt_in=False)
    durable.run_due()
    delivery = _email_delivery(message)
    assert delivery.state == DeliveryState.NOT_SENT
    assert "does not take emails" in delivery.error_detail
    assert smtp_sink.received == []
    assert not MailMessage.objects.filter(portal_message=message).exists()


def test_a_retry_sends_the_same_message_id_and_stores_one_copy(
        emailable, front_desk, smtp_sink, transport, monkeypatch):
    message = message_send(claim=emailable, body="Try again", actor=front_desk)
    delivered = transport.smtp_send

    class Busy(Exception):
        retryable = True

    def busy_once(mailbox, msg, recipients):
        monkeypatch.setattr(transport, "smtp_send", delivered)
        raise Busy("421 try later")

    monkeypatch.setattr(transport, "smtp_send", busy_once)
    durable.run_due()
    delivery = _email_delivery(message)
    assert delivery.state == DeliveryState.QUEUED and delivery.last_error == "421 try later"
    first = MailMessage.objects.get(portal_message=message)
    assert first.status == MailStatus.QUEUED
    Delivery.objects.filter(pk=delivery.pk).update(due_at=None)  # skip the backoff
    durable.run_due()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert MailMessage.objects.filter(portal_message=message).count() == 1
    [wire] = smtp_sink.messages()
    assert wire["Message-ID"] == first.message_id


def test_a_rerun_after_a_crash_past_the_send_does_not_send_again(
        emailable, front_desk, smtp_sink):
    message = message_send(claim=emailable, body="Once", actor=front_desk)
    durable.run_due()
    assert len(smtp_sink.received) == 1
    # The worker died after the server took it: the row is back in "sending".
    delivery = _email_delivery(message)
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENDING,
                                                   lease_until=None)
    durable.run_due()
    assert len(smtp_sink.received) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT


def test_reconnect_needed_marks_the_mailbox_and_the_delivery(
        emailable, mailbox, front_desk, transport, monkeypatch):
    def refused(mailbox, msg, recipients):
        raise ReconnectNeeded("The provider revoked the token.")

    monkeypatch.setattr(transport, "smtp_send", refused, raising=False)
    message = message_send(claim=emailable, body="Hello", actor=front_desk)
    durable.run_due()
    delivery = _email_delivery(message)
    assert delivery.state == DeliveryState.NOT_SENT
    assert "reconnect the mailbox" in delivery.error_detail
    mailbox.refresh_from_db()
    assert mailbox.state == MailboxState.RECONNECT
    assert MailMessage.objects.get(portal_message=message).status == MailStatus.FAILED


def test_a_permanent_refusal_fails_with_the_servers_words(
        location, mailbox, front_desk, smtp_sink):
    claim = _opt_in(make_claim(location, actor=front_desk), email="nobody@refuse.test")
    message = message_send(claim=claim, body="Hello", actor=front_desk)
    durable.run_due()
    delivery = _email_delivery(message)
    assert delivery.state == DeliveryState.FAILED
    assert "550" in delivery.error_detail and "No such user" in delivery.error_detail
    assert claim.events.filter(type="delivery", data__state="failed").exists()


def test_the_customers_reply_files_onto_the_claim(emailable, front_desk, smtp_sink, location):
    message = message_send(claim=emailable, body="Can you come by Friday?", actor=front_desk)
    durable.run_due()
    ours = MailMessage.objects.get(portal_message=message)
    customer = emailable.customer
    raw = (f"From: {customer.name} <{customer.email}>\r\n"
           "To: Northside Collision <office@northside.test>\r\n"
           "Subject: Re: a question\r\n"  # no claim tag: only the header can match it
           "Message-ID: <reply-1@example.test>\r\n"
           f"In-Reply-To: {ours.message_id}\r\n"
           "Date: Mon, 07 Dec 2026 10:00:00 -0600\r\n"
           "\r\nFriday works, thanks.\r\n").encode()
    filed = mail_file(location=location, raw=raw, source=Source.SYNC)
    assert filed.created and filed.mail.claim_id == emailable.pk
    assert filed.mail.match_reason.startswith("thread")


def test_the_next_email_threads_under_the_last_one(emailable, front_desk, smtp_sink):
    message_send(claim=emailable, body="One", actor=front_desk)
    durable.run_due()
    message_send(claim=emailable, body="Two", actor=front_desk)
    durable.run_due()
    first, second = smtp_sink.messages()
    assert second["In-Reply-To"] == first["Message-ID"]
    assert first["Subject"] == second["Subject"]


def test_a_signing_code_is_never_emailed(location, mailbox, front_desk):
    from claimory.messaging.models import Message
    from claimory.messaging.outbox import deliveries_queue

    claim = _opt_in(make_claim(location, actor=front_desk))
    with transaction.atomic():
        message = Message.objects.create(claim=claim, direction="out", channel="sms",
                                         body="code note")
        deliveries = deliveries_queue(message, sms_body="123456 is your code", email=False)
    assert [d.channel for d in deliveries] == ["sms"]


def test_the_email_carries_no_staff_text_markup(location, mailbox, front_desk, smtp_sink,
                                                django_capture_on_commit_callbacks):
    claim = _opt_in(make_claim(location, actor=front_desk))
    _send(claim, front_desk, "<b>bold</b> & see https://example.test/x",
          django_capture_on_commit_callbacks)
    html = smtp_sink.messages()[0].get_body(("html",)).get_content()
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt; &amp; see" in html
    assert re.search(r'<a [^>]*href="https://example.test/x"', html)


def test_no_mailbox_no_email_notification_like_no_number_no_text(location, front_desk):
    templates_approve_all(location=location)
    claim = _opt_in(make_claim(location, actor=front_desk), sms=False, phone="")
    with transaction.atomic():
        assert notify_document(claim, "Repair authorization") is None
    assert not Delivery.objects.filter(claim=claim).exists()
