"""The customer's appointment link (/a/<token>): a capability like the portal token.

HMAC-SHA256(SECRET_KEY, "<appointment id>:<salt>") cut to 16 bytes; only its SHA-256 is
stored (with the salt, so an email can carry the link again), so a copy of the database alone
opens nothing. Same shape as claims/tokens.py, with its own key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

from claimory.claims.tokens import hash_token, looks_like_token, new_salt

__all__ = ["derive", "hash_token", "looks_like_token", "new_salt"]


def _key() -> bytes:
    return hashlib.sha256(b"claimory.appointment-token:" + settings.SECRET_KEY.encode()).digest()


def derive(appointment_id: int, salt: str) -> str:
    mac = hmac.new(_key(), f"{appointment_id}:{salt}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
