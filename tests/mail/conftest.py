"""Mail fixtures: a real dovecot (IMAP) and aiosmtpd (SMTP) on loopback, and the shop's mailbox
connected to them — with a password, or with an OAuth access token (XOAUTH2).

Without dovecot the IMAP tests skip locally; with CI=true they fail (CI must run them).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import pytest
from django.utils import timezone

from claimory.mail.models import Mailbox, Provider, Security
from claimory.mail.secrets import seal
from tests.mail.servers import DOVECOT, Dovecot, SmtpServer, make_certificates

_folders = itertools.count(1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def dovecot_server():
    if not Path(DOVECOT).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{DOVECOT} is missing: CI must run the IMAP tests "
                        "(apt-get install dovecot-imapd)")
        pytest.skip("Debian dovecot not installed (apt-get install dovecot-imapd)")
    server = Dovecot()
    yield server
    server.stop()


@pytest.fixture
def dovecot(dovecot_server):
    """The session's dovecot, with a folder of this test's own (``dovecot.folder``)."""
    dovecot_server.folder = f"Test{os.getpid()}-{next(_folders)}"
    return dovecot_server


@pytest.fixture(scope="session")
def smtp_session_server():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_session_server):
    """aiosmtpd, forgetting what earlier tests sent and asked of it."""
    smtp_session_server.reset()
    return smtp_session_server


@pytest.fixture(scope="session")
def smtp_tls_servers(tmp_path_factory):
    """aiosmtpd with STARTTLS and with implicit TLS, certified by a CA of the tests' own."""
    ca, cert, key = make_certificates(tmp_path_factory.mktemp("smtp-tls"))
    servers = {"starttls": SmtpServer(cert=(cert, key)),
               "ssl": SmtpServer(cert=(cert, key), implicit=True)}
    yield ca, servers
    for server in servers.values():
        server.stop()


def _mailbox(location, *, imap_host: str, imap_port: int, smtp_host: str, smtp_port: int,
             folder: str = "INBOX", **fields) -> Mailbox:
    return Mailbox.objects.create(
        location=location, address="service@northsidecollision.example",
        display_name="Northside Collision", imap_host=imap_host, imap_port=imap_port,
        imap_security=Security.NONE, smtp_host=smtp_host, smtp_port=smtp_port,
        smtp_security=Security.NONE, folder=folder, **fields)


@pytest.fixture
def mailbox(location, dovecot, smtp):
    """The shop's mailbox on dovecot + aiosmtpd, signing in with a password."""
    smtp.behaviour.password = dovecot.password
    return _mailbox(location, provider=Provider.IMAP, imap_host=dovecot.host,
                    imap_port=dovecot.port, smtp_host=smtp.host, smtp_port=smtp.port,
                    folder=dovecot.folder, username=dovecot.user,
                    password_enc=seal(dovecot.password))


@pytest.fixture
def smtp_mailbox(location, smtp):
    """A mailbox whose SMTP side is aiosmtpd (password sign-in); IMAP is never reached."""
    smtp.behaviour.password = "smtp-password"  # noqa: S105 - a test server's password
    return _mailbox(location, provider=Provider.IMAP, imap_host="127.0.0.1", imap_port=1,
                    smtp_host=smtp.host, smtp_port=smtp.port, username=smtp.behaviour.user,
                    password_enc=seal("smtp-password"))


def oauth_fields(token: str) -> dict:
    return {"provider": Provider.GOOGLE, "access_token_enc": seal(token),
            "refresh_token_enc": seal("1//refresh"),
            "access_expires_at": timezone.now() + dt.timedelta(hours=1)}
