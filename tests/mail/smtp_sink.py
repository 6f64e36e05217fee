"""A real SMTP server on loopback (aiosmtpd) and the SMTP seam pointed at it, for the
customer-email tests: what they check are the bytes that crossed the wire.

``claimory.mail.transport.smtp_send`` (the mailbox's SMTP client, tested against real
servers with TLS and AUTH in test_send.py) is replaced by a plain smtplib client to this
server, which refuses any recipient at ``refuse.test`` permanently (550), so a test can see
a real refusal. Import ``smtp_sink_fixture`` / ``transport_fixture`` into a test module to
get the fixtures ``smtp_sink`` / ``transport``.
"""

from __future__ import annotations

import email
import email.policy
import smtplib
import socket
import types
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from claimory.mail.models import Mailbox, Provider, Security
from claimory.mail.secrets import seal


class _Handler:
    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@refuse.test"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Queued"


class SmtpSink:
    def __init__(self, handler: _Handler, port: int) -> None:
        self._handler = handler
        self.port = port
        self.sends = 0  # calls of the SMTP seam

    @property
    def received(self) -> list[tuple[str, list[str], bytes]]:
        return self._handler.received

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[misc]
                for _from, _to, raw in self.received]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _transport_module(monkeypatch) -> types.ModuleType:
    import claimory.mail.transport as transport

    return transport


@pytest.fixture(name="smtp_sink")
def smtp_sink_fixture(monkeypatch):
    handler = _Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    sink = SmtpSink(handler, port)

    def smtp_send(mailbox, message, recipients):
        sink.sends += 1
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.send_message(message, from_addr=mailbox.address, to_addrs=recipients)

    monkeypatch.setattr(_transport_module(monkeypatch), "smtp_send", smtp_send, raising=False)
    yield sink
    controller.stop()


@pytest.fixture(name="transport")
def transport_fixture(monkeypatch):
    """The seam itself, for tests that make it fail in a particular way."""
    return _transport_module(monkeypatch)


def make_mailbox(location, address: str = "office@northside.test") -> Mailbox:
    return Mailbox.objects.create(
        location=location, provider=Provider.IMAP, address=address,
        display_name="Northside Collision", imap_host="127.0.0.1", imap_port=1143,
        imap_security=Security.NONE, smtp_host="127.0.0.1", smtp_port=1025,
        smtp_security=Security.NONE, username=address, password_enc=seal("secret"))
