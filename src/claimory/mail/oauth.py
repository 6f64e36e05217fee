"""OAuth for Google and Microsoft mailboxes (authorization code + PKCE, refresh)."""

from __future__ import annotations

from django.utils import timezone

from claimory.mail.models import Mailbox
from claimory.mail.secrets import reveal


def access_token(mailbox: Mailbox) -> str:
    """A usable access token for ``mailbox``. (Refreshing before expiry comes with the
    connect flow; until then a stored, unexpired token is used as is.)"""
    from claimory.mail.credentials import ReconnectNeeded

    token = reveal(mailbox.access_token_enc)
    if not token or (mailbox.access_expires_at and mailbox.access_expires_at <= timezone.now()):
        raise ReconnectNeeded("The mailbox's sign-in has expired.")
    return token
