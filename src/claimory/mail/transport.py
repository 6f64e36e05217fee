"""Talking to a mailbox's servers: logging in to IMAP, and handing a message to SMTP.

Every failure comes out as one of two kinds, so the workers know what to do next:

* ``credentials.ReconnectNeeded`` — the server refused our sign-in (wrong password, revoked or
  expired token: an IMAP ``NO`` on LOGIN/AUTHENTICATE, SMTP 534/535, the XOAUTH2 JSON
  challenge). Retrying cannot help; a person must reconnect the mailbox.
* ``MailTransportError`` — everything else, with ``retryable`` saying whether trying later
  can help (network trouble, timeouts, 4xx answers) or not (a 5xx refusal: the server's text
  is kept for the timeline).
"""

from __future__ import annotations

import imaplib
import json
import logging
import smtplib
import ssl
from email.message import EmailMessage

from claimory.mail import credentials
from claimory.mail.credentials import Login, ReconnectNeeded
from claimory.mail.models import Mailbox, Provider, Security
from claimory.mail.secrets import SecretUnreadable

log = logging.getLogger(__name__)

TIMEOUT = 30  # seconds for connecting and for each answer
# IMAP response codes (RFC 5530) that mean "not now" rather than "not you".
_TEMPORARY_IMAP_CODES = (b"[UNAVAILABLE]", b"[INUSE]", b"[LIMIT]", b"[SERVERBUG]")


class MailTransportError(RuntimeError):
    """A mail server could not be reached or refused the work; ``str(exc)`` says why in
    words a shop can read. ``retryable``: trying again later may succeed."""

    def __init__(self, detail: str, *, retryable: bool) -> None:
        super().__init__(detail[:300])
        self.detail = detail[:300]
        self.retryable = retryable


def _login(mailbox: Mailbox) -> Login:
    try:
        return credentials.login_for(mailbox)
    except SecretUnreadable as exc:
        raise ReconnectNeeded(str(exc)) from exc


def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value or ""


def _oauth_refusal(challenge: bytes) -> str:
    """The status in a provider's XOAUTH2 error challenge (JSON ``{status, schemes, scope}``,
    already base64-decoded by imaplib / smtplib)."""
    try:
        data = json.loads(challenge)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    return f" (provider status {str(data.get('status', '?'))[:20]})"


class _XOAuth2:
    """The XOAUTH2 exchange: our initial response, then an empty answer to the error
    challenge a provider sends when it refuses the token (it is kept for the reason)."""

    def __init__(self, login: Login) -> None:
        self.login = login
        self.calls = 0
        self.challenge = b""

    def imap(self, challenge: bytes) -> bytes:
        self.calls += 1
        if self.calls == 1:
            return self.login.xoauth2()
        self.challenge = challenge or b""
        return b""

    def smtp(self, challenge: bytes | None = None) -> str:
        if challenge is None:
            return self.login.xoauth2().decode()
        self.challenge = challenge
        return ""


def imap_connect(mailbox: Mailbox) -> imaplib.IMAP4:
    """A logged-in IMAP connection to ``mailbox`` (the caller logs out)."""
    login = _login(mailbox)
    where = f"{mailbox.imap_host}:{mailbox.imap_port}"
    try:
        if mailbox.imap_security == Security.SSL:
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(mailbox.imap_host, mailbox.imap_port,
                                                    ssl_context=_tls(), timeout=TIMEOUT)
        else:
            imap = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=TIMEOUT)
            if mailbox.imap_security == Security.STARTTLS:
                imap.starttls(ssl_context=_tls())
    except ssl.SSLCertVerificationError as exc:
        raise MailTransportError(f"The IMAP server {where} has a certificate we can't trust: "
                                 f"{exc.verify_message}", retryable=False) from exc
    except imaplib.IMAP4.abort as exc:
        raise MailTransportError(f"The IMAP server {where} hung up: {exc}",
                                 retryable=True) from exc
    except imaplib.IMAP4.error as exc:  # e.g. no STARTTLS offered
        raise MailTransportError(f"The IMAP server {where} refused to talk: {exc}",
                                 retryable=False) from exc
    except OSError as exc:
        raise MailTransportError(f"Can't reach the IMAP server {where}: {exc}",
                                 retryable=True) from exc
    try:
        _imap_login(imap, login)
    except BaseException:
        _imap_close(imap)
        raise
    return imap


def _imap_login(imap: imaplib.IMAP4, login: Login) -> None:
    exchange = _XOAuth2(login)
    try:
        if login.mechanism == "xoauth2":
            imap.authenticate("XOAUTH2", exchange.imap)
        else:
            imap.login(login.username, login.secret)
    except imaplib.IMAP4.abort as exc:
        raise MailTransportError(f"The IMAP server hung up during sign-in: {exc}",
                                 retryable=True) from exc
    except imaplib.IMAP4.error as exc:
        said = imap_said(exc)
        if any(code.decode() in said for code in _TEMPORARY_IMAP_CODES):
            raise MailTransportError(f"The IMAP server can't sign us in right now: {said}",
                                     retryable=True) from exc
        raise ReconnectNeeded(
            f"The mail server refused the sign-in{_oauth_refusal(exchange.challenge)}: "
            f"{said[:200]}") from exc
    except OSError as exc:
        raise MailTransportError(f"The IMAP connection failed during sign-in: {exc}",
                                 retryable=True) from exc


def imap_said(exc: BaseException) -> str:
    """What the IMAP server said, from an imaplib error (it carries bytes or text)."""
    value = exc.args[0] if exc.args else ""
    return _text(value) if isinstance(value, bytes | str) else str(value)


def _imap_close(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()
    except (imaplib.IMAP4.error, OSError):
        pass


def _smtp_error(exc: smtplib.SMTPResponseException, what: str) -> MailTransportError:
    said = _text(exc.smtp_error).strip()
    return MailTransportError(f"{what}: {exc.smtp_code} {said}"[:300],
                              retryable=400 <= exc.smtp_code < 500)


def smtp_send(mailbox: Mailbox, msg: EmailMessage, recipients: list[str]) -> dict[str, str]:
    """Hand ``msg`` to the mailbox's SMTP server for ``recipients`` (the envelope: Bcc lives
    only here). Returns the recipients the server refused while taking the rest (address →
    its answer); raises when it took none."""
    if mailbox.provider == Provider.SIMULATED:
        from claimory.mail.simulator import simulated_deliver

        return simulated_deliver(mailbox, msg, recipients)
    login = _login(mailbox)
    where = f"{mailbox.smtp_host}:{mailbox.smtp_port}"
    try:
        if mailbox.smtp_security == Security.SSL:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(mailbox.smtp_host, mailbox.smtp_port,
                                                  timeout=TIMEOUT, context=_tls())
        else:
            smtp = smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port, timeout=TIMEOUT)
    except ssl.SSLCertVerificationError as exc:
        raise MailTransportError(f"The SMTP server {where} has a certificate we can't trust: "
                                 f"{exc.verify_message}", retryable=False) from exc
    except smtplib.SMTPConnectError as exc:
        raise _smtp_error(exc, f"The SMTP server {where} turned us away") from exc
    except OSError as exc:
        raise MailTransportError(f"Can't reach the SMTP server {where}: {exc}",
                                 retryable=True) from exc
    try:
        with smtp:
            smtp.ehlo()
            if mailbox.smtp_security == Security.STARTTLS:
                smtp.starttls(context=_tls())
                smtp.ehlo()
            _smtp_login(smtp, login)
            refused = smtp.send_message(msg, from_addr=mailbox.address, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        answers = {address: f"{code} {_text(text)}" for address, (code, text)
                   in exc.recipients.items()}
        temporary = all(400 <= code < 500 for code, _text_ in exc.recipients.values())
        detail = "; ".join(f"{address}: {answer}" for address, answer in answers.items())
        raise MailTransportError(f"The server refused every recipient: {detail}",
                                 retryable=temporary) from exc
    except smtplib.SMTPSenderRefused as exc:
        raise _smtp_error(exc, f"The server refused the sender {mailbox.address}") from exc
    except smtplib.SMTPDataError as exc:
        raise _smtp_error(exc, "The server refused the message") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailTransportError(f"The SMTP server {where} doesn't support what we need: "
                                 f"{exc}", retryable=False) from exc
    except smtplib.SMTPResponseException as exc:
        raise _smtp_error(exc, "The SMTP server said") from exc
    except ssl.SSLCertVerificationError as exc:  # on STARTTLS
        raise MailTransportError(f"The SMTP server {where} has a certificate we can't trust: "
                                 f"{exc.verify_message}", retryable=False) from exc
    except (smtplib.SMTPException, OSError) as exc:  # disconnects, timeouts, TLS failures
        raise MailTransportError(f"The SMTP conversation with {where} failed: {exc}",
                                 retryable=True) from exc
    return {address: f"{code} {_text(text)}" for address, (code, text) in refused.items()}


def _smtp_login(smtp: smtplib.SMTP, login: Login) -> None:
    exchange = _XOAuth2(login)
    try:
        if login.mechanism == "xoauth2":
            smtp.auth("XOAUTH2", exchange.smtp)
        else:
            smtp.login(login.username, login.secret)
    except smtplib.SMTPAuthenticationError as exc:
        said = _text(exc.smtp_error).strip()
        if 400 <= exc.smtp_code < 500:  # 454: temporary authentication failure
            raise MailTransportError(f"The SMTP server can't sign us in right now: "
                                     f"{exc.smtp_code} {said}", retryable=True) from exc
        raise ReconnectNeeded(
            f"The mail server refused the sign-in{_oauth_refusal(exchange.challenge)}: "
            f"{exc.smtp_code} {said[:200]}") from exc
