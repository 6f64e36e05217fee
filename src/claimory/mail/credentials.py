"""How we log in to a mailbox: a password (IMAP/SMTP) or an OAuth access token (XOAUTH2).

``login_for`` is what the IMAP and SMTP transports call; for Google and Microsoft it asks
``mail/oauth.py`` for a fresh access token (refreshed before it expires).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from claimory.mail.models import Mailbox
from claimory.mail.secrets import reveal


class ReconnectNeeded(RuntimeError):
    """The provider refused the mailbox's credentials for good (revoked token, changed
    password): a person must reconnect it. ``str(exc)`` says why."""


@dataclass(frozen=True)
class Login:
    username: str
    secret: str  # the password, or the access token
    mechanism: str  # "password" | "xoauth2"

    def xoauth2(self) -> bytes:
        """SASL XOAUTH2 initial client response (identical for Google and Microsoft)."""
        return f"user={self.username}\x01auth=Bearer {self.secret}\x01\x01".encode()

    def xoauth2_b64(self) -> str:
        return base64.b64encode(self.xoauth2()).decode()


def login_for(mailbox: Mailbox) -> Login:
    if mailbox.uses_oauth:
        from claimory.mail.oauth import access_token

        return Login(mailbox.username, access_token(mailbox), "xoauth2")
    password = reveal(mailbox.password_enc)
    if not password:
        raise ReconnectNeeded("No password is stored for this mailbox.")
    return Login(mailbox.username, password, "password")
