"""Encrypting a mailbox's password and OAuth tokens at rest (Fernet: AES-128-CBC + HMAC).

The key comes from ``CLAIMORY_MAIL_KEY`` (a Fernet key, or any long secret) when set, else
it is derived from ``SECRET_KEY`` — so a database dump alone never gives away a shop's
mailbox. Rotating SECRET_KEY without CLAIMORY_MAIL_KEY set makes stored secrets unreadable:
``reveal`` then raises ``SecretUnreadable`` and the mailbox asks to be reconnected.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(ValueError):
    """A stored secret no longer decrypts (the key changed): reconnect the mailbox."""


def _fernet() -> Fernet:
    configured = os.environ.get("CLAIMORY_MAIL_KEY", "")
    material = configured or f"claimory-mail:{settings.SECRET_KEY}"
    digest = hashlib.sha256(material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(plain: str) -> str:
    """The ciphertext to store (empty stays empty)."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode()


def reveal(stored: str) -> str:
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("The stored credential can't be read; reconnect the "
                               "mailbox.") from exc
