"""Connecting, checking and disconnecting a location's mailbox (the Settings → Email services).

Google and Microsoft connect through OAuth (mail/oauth.py). Any other provider connects with
IMAP + SMTP and a password: ``mailbox_connect_imap`` checks the settings, really logs in to
both servers (``connection_check``) and stores the password (encrypted) only when both
accepted it — or when the person chose "save anyway" (a server that is down right now).
"""

from __future__ import annotations

import imaplib
import ipaddress
import logging
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from claimory.core.origin import base_url
from claimory.mail.models import (
    Mailbox,
    MailboxState,
    Provider,
    Security,
    SyncRun,
    SyncState,
)
from claimory.mail.secrets import SecretUnreadable, reveal, seal
from claimory.mail.work import mailbox_sync_now
from claimory.shops.models import Location
from claimory.shops.permissions import require

log = logging.getLogger(__name__)

# Who may connect, change or disconnect a location's mailbox: owners and managers (the
# permission that covers the shop's details).
PERM = "settings.location"
CHECK_TIMEOUT = 10  # seconds per server: the check runs while the person waits
SYNC_CHOICES = ((60, "Every minute"), (300, "Every 5 minutes"), (900, "Every 15 minutes"),
                (3600, "Every hour"))
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_PASSWORD = 1000


@dataclass(frozen=True)
class ImapSettings:
    """A validated "other provider" form: where the servers are and who logs in."""

    address: str
    display_name: str
    imap_host: str
    imap_port: int
    imap_security: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    username: str


@dataclass(frozen=True)
class Answer:
    ok: bool
    text: str  # the server's answer, or what went wrong, for the person to read


@dataclass(frozen=True)
class CheckResult:
    imap: Answer
    smtp: Answer

    @property
    def ok(self) -> bool:
        return self.imap.ok and self.smtp.ok


@dataclass(frozen=True)
class ConnectOutcome:
    check: CheckResult | None
    mailbox: Mailbox | None = None  # None: nothing stored (the check failed)


# Validation


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host(value: Any, field: str, errors: dict[str, list[str]]) -> str:
    host = str(value or "").strip().lower().rstrip(".")
    if not host:
        errors[field] = ["Enter the server's host name, e.g. mail.example.com."]
        return ""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    if len(host) > 253 or not all(_LABEL.match(label) for label in host.split(".")):
        errors[field] = [f"“{host[:80]}” is not a host name (letters, digits, dots and "
                         f"hyphens, e.g. mail.example.com)."]
        return ""
    return host


def _port(value: Any, field: str, errors: dict[str, list[str]]) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        errors[field] = ["Enter a port number from 1 to 65535."]
        return 0
    return int(text)


def _security(value: Any, host: str, field: str, errors: dict[str, list[str]]) -> str:
    security = str(value or "").strip().lower()
    if security not in Security.values:
        errors[field] = ["Pick SSL/TLS, STARTTLS or None."]
        return ""
    # Without TLS the password crosses the network in the clear: only for a test server on
    # this very machine.
    if security == Security.NONE and host and not is_loopback(host):
        errors[field] = ["“None” is only for a test server on this machine (localhost); use "
                         "SSL/TLS or STARTTLS."]
        return ""
    return security


def imap_settings_clean(data: Mapping[str, Any]) -> ImapSettings:
    """The form's values checked and normalised; ValidationError keyed by field name."""
    errors: dict[str, list[str]] = {}
    address = str(data.get("address") or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        errors["address"] = ["Enter the mailbox's email address, e.g. office@yourshop.com."]
    display_name = str(data.get("display_name") or "").strip()
    if len(display_name) > 120:
        errors["display_name"] = ["Keep the name under 120 characters."]
    imap_host = _host(data.get("imap_host"), "imap_host", errors)
    smtp_host = _host(data.get("smtp_host"), "smtp_host", errors)
    username = str(data.get("username") or "").strip() or address
    if len(username) > 254:
        errors["username"] = ["Keep the user name under 254 characters."]
    settings = ImapSettings(
        address=address, display_name=display_name, imap_host=imap_host,
        imap_port=_port(data.get("imap_port"), "imap_port", errors),
        imap_security=_security(data.get("imap_security"), imap_host, "imap_security", errors),
        smtp_host=smtp_host, smtp_port=_port(data.get("smtp_port"), "smtp_port", errors),
        smtp_security=_security(data.get("smtp_security"), smtp_host, "smtp_security", errors),
        username=username)
    if errors:
        raise ValidationError(errors)
    return settings


def _password(data: Mapping[str, Any], current: Mailbox | None, settings: ImapSettings) -> str:
    """The password typed, or — left blank while editing the same login — the stored one."""
    password = str(data.get("password") or "")
    if len(password) > MAX_PASSWORD:
        raise ValidationError({"password": ["That password is too long."]})
    if password:
        return password
    if current is not None and current.provider == Provider.IMAP and current.password_enc \
            and current.username == settings.username:
        try:
            return reveal(current.password_enc)
        except SecretUnreadable:
            pass
    raise ValidationError({"password": ["Enter the mailbox's password (an app password if "
                                        "the provider asks for one)."]})


# The check: a real login to both servers


def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _said(data: Any) -> str:
    """A server's answer as one short line of text."""
    if isinstance(data, list | tuple):
        data = b" ".join(d if isinstance(d, bytes) else str(d).encode() for d in data)
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    return " ".join(text.split())[:200]


def _unreachable(host: str, port: int, exc: OSError) -> Answer:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Answer(False, f"{host}:{port} has a certificate we can't trust "
                             f"({_said(exc.verify_message or exc.reason or '')}).")
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return Answer(False, f"The secure connection to {host}:{port} failed "
                             f"({_said(getattr(exc, 'reason', '') or exc)}). Check the "
                             f"security setting and port.")
    reason = exc.strerror or type(exc).__name__
    if isinstance(exc, TimeoutError):
        reason = "no answer within 10 seconds"
    return Answer(False, f"Couldn't reach {host}:{port} ({_said(reason)}).")


def check_imap(settings: ImapSettings, password: str) -> Answer:
    host, port = settings.imap_host, settings.imap_port
    try:
        if settings.imap_security == Security.SSL:
            conn = imaplib.IMAP4_SSL(host, port, ssl_context=_tls(), timeout=CHECK_TIMEOUT)
        else:
            conn = imaplib.IMAP4(host, port, timeout=CHECK_TIMEOUT)
            if settings.imap_security == Security.STARTTLS:
                conn.starttls(ssl_context=_tls())
        try:
            typ, data = conn.login(settings.username, password)
            return Answer(True, f"IMAP login accepted: {typ} {_said(data)}".strip())
        finally:
            try:
                conn.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
    except imaplib.IMAP4.error as exc:
        said = exc.args[0] if exc.args else exc  # imaplib hands over the server's bytes
        return Answer(False, f"The IMAP server refused the login: {_said(said)}")
    except OSError as exc:
        return _unreachable(host, port, exc)


def check_smtp(settings: ImapSettings, password: str) -> Answer:
    host, port = settings.smtp_host, settings.smtp_port
    # Say who we are without a reverse DNS lookup of our own address (getfqdn can hang).
    helo = urlsplit(base_url()).hostname or "localhost"
    try:
        if settings.smtp_security == Security.SSL:
            conn = smtplib.SMTP_SSL(host, port, local_hostname=helo, timeout=CHECK_TIMEOUT,
                                    context=_tls())
        else:
            conn = smtplib.SMTP(host, port, local_hostname=helo, timeout=CHECK_TIMEOUT)
            if settings.smtp_security == Security.STARTTLS:
                conn.starttls(context=_tls())
        try:
            code, said = conn.login(settings.username, password)
            return Answer(True, f"SMTP login accepted: {code} {_said(said)}".strip())
        finally:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
    except smtplib.SMTPAuthenticationError as exc:
        return Answer(False, f"The SMTP server refused the login: {exc.smtp_code} "
                             f"{_said(exc.smtp_error)}")
    except smtplib.SMTPNotSupportedError as exc:
        return Answer(False, f"The SMTP server doesn't offer that: {_said(str(exc))}. Check "
                             f"the security setting (most need STARTTLS on 587 or SSL/TLS on "
                             f"465).")
    except smtplib.SMTPResponseException as exc:
        return Answer(False, f"The SMTP server answered {exc.smtp_code} {_said(exc.smtp_error)}")
    except smtplib.SMTPException as exc:
        return Answer(False, f"The SMTP server said: {_said(str(exc))}")
    except OSError as exc:
        return _unreachable(host, port, exc)


def connection_check(settings: ImapSettings, password: str) -> CheckResult:
    """Log in to the IMAP and the SMTP server with ``password`` (nothing is fetched or sent)."""
    return CheckResult(imap=check_imap(settings, password), smtp=check_smtp(settings, password))


# Services


def mailbox_check_imap(*, location: Location, actor: Any, data: Mapping[str, Any]
                       ) -> CheckResult:
    """"Check connection": validate the form and log in to both servers; stores nothing."""
    require(actor, PERM, location)
    settings = imap_settings_clean(data)
    current = Mailbox.objects.filter(location=location).first()
    return connection_check(settings, _password(data, current, settings))


def mailbox_connect_imap(*, location: Location, actor: Any, data: Mapping[str, Any],
                         save_anyway: bool = False) -> ConnectOutcome:
    """Connect ``location``'s mailbox with IMAP/SMTP and a password.

    Logs in to both servers first; stores nothing when either refused, unless
    ``save_anyway`` (the outcome then carries both the check and the mailbox). Connecting the
    same account on the same server again keeps where the sync stands.
    """
    require(actor, PERM, location)
    settings = imap_settings_clean(data)
    current = Mailbox.objects.filter(location=location).first()
    password = _password(data, current, settings)
    check = connection_check(settings, password)
    if not check.ok and not save_anyway:
        return ConnectOutcome(check=check)
    with transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().filter(location=location).first()
        if mailbox is None:
            mailbox = Mailbox(location=location)
        elif mailbox.address != settings.address or mailbox.imap_host != settings.imap_host:
            # Another mailbox: its UIDs mean nothing here, the sync starts afresh.
            mailbox.uidvalidity, mailbox.last_uid, mailbox.folder = None, 0, "INBOX"
        mailbox.provider = Provider.IMAP
        for name, value in vars(settings).items():
            setattr(mailbox, name, value)
        mailbox.password_enc = seal(password)
        mailbox.refresh_token_enc = mailbox.access_token_enc = ""
        mailbox.access_expires_at = None
        mailbox.state = MailboxState.CONNECTED
        failed = next((a.text for a in (check.imap, check.smtp) if not a.ok), "")
        mailbox.state_reason = f"Saved without a working login check: {failed}"[:300] \
            if failed else ""
        mailbox.connected_by = actor if getattr(actor, "is_authenticated", False) else None
        mailbox.save()
    log.info("mailbox %s of location %s connected over IMAP (check %s)", mailbox.pk,
             location.pk, "passed" if check.ok else "failed, saved anyway")
    return ConnectOutcome(check=check, mailbox=mailbox)


def mailbox_disconnect(*, mailbox: Mailbox, actor: Any) -> Mailbox:
    """Stop syncing and sending, and forget the credentials; the mail already filed stays
    on its claims (and where the sync stood, should the same mailbox come back)."""
    require(actor, PERM, mailbox.location)
    with transaction.atomic():
        mailbox.password_enc = mailbox.refresh_token_enc = mailbox.access_token_enc = ""
        mailbox.access_expires_at = None
        mailbox.state = MailboxState.DISCONNECTED
        mailbox.state_reason = ""
        mailbox.save(update_fields=["password_enc", "refresh_token_enc", "access_token_enc",
                                    "access_expires_at", "state", "state_reason", "updated_at"])
        # A queued sync would only fail without credentials.
        SyncRun.objects.filter(mailbox=mailbox, state=SyncState.QUEUED).update(
            state=SyncState.FAILED, error="The mailbox was disconnected.",
            finished_at=timezone.now(), updated_at=timezone.now())
    return mailbox


def mailbox_settings_update(*, mailbox: Mailbox, actor: Any, display_name: Any,
                            sync_every_seconds: Any) -> Mailbox:
    """The name mail is sent under, and how often the mailbox is checked for new mail."""
    require(actor, PERM, mailbox.location)
    errors: dict[str, list[str]] = {}
    name = str(display_name or "").strip()
    if len(name) > 120:
        errors["display_name"] = ["Keep the name under 120 characters."]
    try:
        every = int(str(sync_every_seconds))
    except ValueError:
        every = 0
    if every not in dict(SYNC_CHOICES):
        errors["sync_every_seconds"] = ["Pick how often to check for new mail."]
    if errors:
        raise ValidationError(errors)
    mailbox.display_name, mailbox.sync_every_seconds = name, every
    mailbox.save(update_fields=["display_name", "sync_every_seconds", "updated_at"])
    return mailbox


def mailbox_sync_request(*, mailbox: Mailbox, actor: Any) -> SyncRun:
    """"Sync now": a queued SyncRun on the durable path (or the one already open)."""
    require(actor, PERM, mailbox.location)
    if mailbox.state != MailboxState.CONNECTED:
        raise ValidationError({"mailbox": ["Connect the mailbox before syncing it."]})
    return mailbox_sync_now(mailbox)
