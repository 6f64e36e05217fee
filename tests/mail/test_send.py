"""Sending composed mail through a real SMTP server on loopback (aiosmtpd): our Message-ID and
thread headers on the wire, Bcc only in the envelope, 4xx retried, 5xx failed with the
server's words on the timeline, XOAUTH2 with the mailbox's token — and the customer's reply
synced back from dovecot onto the same claim."""

from __future__ import annotations

import pytest
from django.utils import timezone

from claimory.core import durable
from claimory.mail.filing import mail_file
from claimory.mail.models import (
    MailboxState,
    MailMessage,
    MailStatus,
    Outgoing,
    OutgoingState,
    Security,
    Source,
    SyncState,
)
from claimory.mail.outgoing import mail_compose
from claimory.mail.secrets import seal
from claimory.mail.work import mailbox_sync_now
from tests.mail.conftest import oauth_fields
from tests.mail.servers import TOKEN
from tests.mail.world import build_world, corpus_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(location, front_desk):
    """Claim A with the customer's latest email on it (001.eml: Dana asks about Friday)."""
    claims = build_world(location, front_desk)
    parent = mail_file(location=location, raw=corpus_files()[0].read_bytes(),
                       source=Source.IMPORT).mail
    assert parent.claim_id == claims["A"].pk
    return claims["A"], parent


def _reply(claim, parent, actor, **fields):
    defaults = {"to": parent.from_address, "body": "Friday at 3 pm works.",
                "reply_to": parent}
    return mail_compose(claim=claim, actor=actor, **{**defaults, **fields})


def _state(mail) -> tuple[str, str]:
    mail.refresh_from_db()
    return mail.status, Outgoing.objects.get(mail=mail).state


def _actions(claim) -> list[str]:
    return [e.data["action"] for e in claim.events.filter(type="email").order_by("seq")]


def test_a_reply_goes_out_threaded_with_bcc_only_in_the_envelope(thread, front_desk,
                                                                 smtp_mailbox, smtp):
    claim, parent = thread
    mail = _reply(claim, parent, front_desk, cc="praman@acme-mutual.example",
                  bcc="records@northsidecollision.example")

    durable.run_due()

    assert _state(mail) == (MailStatus.SENT, OutgoingState.SENT)
    assert mail.sent_at is not None
    [received] = smtp.received
    assert received.mail_from == "service@northsidecollision.example"
    assert sorted(received.rcpt_tos) == sorted([
        "dana.whitfield@example.com", "praman@acme-mutual.example",
        "records@northsidecollision.example"])
    message = received.message
    assert message["Message-ID"] == mail.message_id
    assert mail.message_id.endswith("@northsidecollision.example>")
    assert message["In-Reply-To"] == parent.message_id == "<r1@mail.example.com>"
    assert message["References"].split() == [*parent.references, parent.message_id]
    assert "[RO-5521]" in message["Subject"] and message["Subject"].startswith("Re: ")
    assert "Bcc" not in message and b"records@" not in received.raw
    assert message["Cc"] == "praman@acme-mutual.example"
    assert "Friday at 3 pm works." in message.get_content()
    assert smtp.behaviour.auth_seen  # it signed in
    assert _actions(claim)[-2:] == ["queued", "sent"]


def test_the_customers_answer_syncs_back_onto_the_same_claim(thread, front_desk, mailbox,
                                                             smtp, dovecot):
    claim, parent = thread
    mail = _reply(claim, parent, front_desk)
    durable.run_due()
    [received] = smtp.received
    sent = received.message
    answer = (
        "From: Dana Whitfield <dana.whitfield@example.com>\r\n"
        "To: service@northsidecollision.example\r\n"
        f"Subject: Re: {sent['Subject']}\r\n"
        "Message-ID: <r9@mail.example.com>\r\n"
        f"In-Reply-To: {sent['Message-ID']}\r\n"
        f"References: {sent['References']} {sent['Message-ID']}\r\n"
        "Date: Mon, 07 Dec 2026 10:00:00 -0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Perfect, see you Friday.\r\n\r\n> Friday at 3 pm works.\r\n").encode()
    dovecot.append(answer, folder=mailbox.folder)

    run = mailbox_sync_now(mailbox)
    durable.run_due()
    run.refresh_from_db()

    assert run.state == SyncState.DONE and run.filed == 1
    back = MailMessage.objects.get(message_id="<r9@mail.example.com>")
    assert back.claim_id == claim.pk and back.status == MailStatus.FILED
    assert "header" in back.match_reason.lower() or "reply" in back.match_reason.lower()
    assert back.body_text == "Perfect, see you Friday."
    assert mail.message_id in back.references
    assert _actions(claim)[-1] == "received"


def test_a_temporary_refusal_is_retried(thread, front_desk, smtp_mailbox, smtp):
    claim, parent = thread
    smtp.behaviour.answer_data = "451 4.3.0 Mail server temporarily rejected message"
    mail = _reply(claim, parent, front_desk)

    durable.run_due()

    outgoing = Outgoing.objects.get(mail=mail)
    assert outgoing.state == OutgoingState.QUEUED and outgoing.due_at > timezone.now()
    assert "451" in outgoing.last_error
    assert _state(mail)[0] == MailStatus.QUEUED

    smtp.behaviour.answer_data = ""
    Outgoing.objects.filter(pk=outgoing.pk).update(due_at=None)  # the backoff is over
    durable.run_due()
    assert _state(mail) == (MailStatus.SENT, OutgoingState.SENT)
    assert len(smtp.received) == 1
    assert _actions(claim).count("sent") == 1


def test_a_permanent_refusal_fails_with_the_servers_reason(thread, front_desk, smtp_mailbox,
                                                           smtp):
    claim, parent = thread
    smtp.behaviour.refuse_rcpt["dana.whitfield@example.com"] = (
        "550 5.1.1 The email account that you tried to reach does not exist")
    mail = _reply(claim, parent, front_desk)

    durable.run_due()

    assert _state(mail) == (MailStatus.FAILED, OutgoingState.FAILED)
    outgoing = Outgoing.objects.get(mail=mail)
    assert "550 5.1.1" in outgoing.error and outgoing.attempts == 1
    event = claim.events.filter(type="email", data__action="failed").get()
    assert "does not exist" in event.data["reason"]
    assert not smtp.received


def test_one_refused_recipient_of_several_is_noted_on_the_sent_line(thread, front_desk,
                                                                   smtp_mailbox, smtp):
    claim, parent = thread
    smtp.behaviour.refuse_rcpt["old@acme-mutual.example"] = "550 5.1.1 No such user"
    mail = _reply(claim, parent, front_desk, cc="old@acme-mutual.example")
    durable.run_due()
    assert _state(mail) == (MailStatus.SENT, OutgoingState.SENT)
    assert smtp.received[0].rcpt_tos == ["dana.whitfield@example.com"]
    event = claim.events.filter(type="email", data__action="sent").get()
    assert "old@acme-mutual.example" in event.data["reason"]


def test_xoauth2_with_the_mailboxs_access_token(thread, front_desk, smtp_mailbox, smtp):
    claim, parent = thread
    type(smtp_mailbox).objects.filter(pk=smtp_mailbox.pk).update(password_enc="",
                                                                 **oauth_fields(TOKEN))
    smtp.behaviour.password, smtp.behaviour.token = "", TOKEN
    mail = _reply(claim, parent, front_desk)

    durable.run_due()

    assert _state(mail) == (MailStatus.SENT, OutgoingState.SENT)
    assert smtp.behaviour.auth_seen == ["XOAUTH2"]
    assert len(smtp.received) == 1


def test_a_dead_token_asks_for_a_reconnect_and_fails_the_send(thread, front_desk,
                                                              smtp_mailbox, smtp):
    claim, parent = thread
    type(smtp_mailbox).objects.filter(pk=smtp_mailbox.pk).update(**oauth_fields("revoked"))
    smtp.behaviour.token = TOKEN
    mail = _reply(claim, parent, front_desk)

    durable.run_due()

    smtp_mailbox.refresh_from_db()
    assert smtp_mailbox.state == MailboxState.RECONNECT
    assert "provider status 401" in smtp_mailbox.state_reason  # from the JSON challenge
    assert "535" in smtp_mailbox.state_reason
    assert _state(mail) == (MailStatus.FAILED, OutgoingState.FAILED)
    assert "Reconnect the mailbox" in Outgoing.objects.get(mail=mail).error
    assert claim.events.filter(type="email", data__action="failed").exists()
    assert not smtp.received


def test_a_wrong_smtp_password_asks_for_a_reconnect(thread, front_desk, smtp_mailbox, smtp):
    claim, parent = thread
    mail = _reply(claim, parent, front_desk)
    type(smtp_mailbox).objects.filter(pk=smtp_mailbox.pk).update(password_enc=seal("nope"))
    durable.run_due()
    smtp_mailbox.refresh_from_db()
    assert smtp_mailbox.state == MailboxState.RECONNECT
    assert "refused the sign-in: 535" in smtp_mailbox.state_reason
    assert _state(mail) == (MailStatus.FAILED, OutgoingState.FAILED)


def test_a_mailbox_disconnected_after_compose_sends_nothing(thread, front_desk, smtp_mailbox,
                                                            smtp):
    claim, parent = thread
    mail = _reply(claim, parent, front_desk)
    type(smtp_mailbox).objects.filter(pk=smtp_mailbox.pk).update(
        state=MailboxState.RECONNECT, state_reason="Google said the token was revoked.")
    durable.run_due()
    assert _state(mail) == (MailStatus.FAILED, OutgoingState.FAILED)
    assert "token was revoked" in Outgoing.objects.get(mail=mail).error
    assert not smtp.received and not smtp.behaviour.auth_seen


def test_an_unreachable_server_is_retried(thread, front_desk, smtp_mailbox, smtp):
    claim, parent = thread
    type(smtp_mailbox).objects.filter(pk=smtp_mailbox.pk).update(smtp_port=1)
    mail = _reply(claim, parent, front_desk)
    durable.run_due()
    outgoing = Outgoing.objects.get(mail=mail)
    assert outgoing.state == OutgoingState.QUEUED and "Can't reach" in outgoing.last_error


def test_the_same_send_twice_sends_once(thread, front_desk, smtp_mailbox, smtp):
    claim, parent = thread
    mail = _reply(claim, parent, front_desk)
    label, pk = durable.label_of(Outgoing), Outgoing.objects.get(mail=mail).pk
    assert durable.run_work.call(label, pk) == "ran"
    assert durable.run_work.call(label, pk) == "skipped"
    assert durable.run_due() == 0
    assert len(smtp.received) == 1
    assert _actions(claim).count("sent") == 1


@pytest.mark.parametrize("security", [Security.STARTTLS, Security.SSL])
def test_sending_over_tls(thread, front_desk, smtp_mailbox, smtp_tls_servers, monkeypatch,
                          security):
    ca, servers = smtp_tls_servers
    server = servers[security]
    server.reset()
    server.behaviour.password = "smtp-password"  # noqa: S105 - the test server's password
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    type(smtp_mailbox).objects.filter(pk=smtp_mailbox.pk).update(smtp_security=security,
                                                                 smtp_port=server.port)
    claim, parent = thread
    mail = _reply(claim, parent, front_desk)
    durable.run_due()
    assert _state(mail) == (MailStatus.SENT, OutgoingState.SENT)
    assert len(server.received) == 1


def test_starttls_to_an_untrusted_server_fails_without_sending(
        thread, front_desk, smtp_mailbox, smtp_tls_servers, monkeypatch):
    _ca, servers = smtp_tls_servers
    server = servers[Security.STARTTLS]
    server.reset()
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent.pem")
    type(smtp_mailbox).objects.filter(pk=smtp_mailbox.pk).update(
        smtp_security=Security.STARTTLS, smtp_port=server.port)
    claim, parent = thread
    mail = _reply(claim, parent, front_desk)
    durable.run_due()
    assert _state(mail) == (MailStatus.FAILED, OutgoingState.FAILED)
    assert "certificate" in Outgoing.objects.get(mail=mail).error
    assert not server.received
