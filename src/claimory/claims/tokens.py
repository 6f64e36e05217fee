"""Portal capability tokens: 128-bit, URL-safe, only their SHA-256 at rest.

The token is HMAC-SHA256(SECRET_KEY, "<claim id>:<random salt>") cut to 16 bytes. The salt
(128 bits from `secrets`) is stored with the hash, so the server can rebuild the token to
reprint a QR while a copy of the database alone reveals no working link. Rotating replaces
the salt; revoking clears the hash. Changing SECRET_KEY invalidates every printed QR.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from django.conf import settings

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _key() -> bytes:
    return hashlib.sha256(b"claimory.portal-token:" + settings.SECRET_KEY.encode()).digest()


def derive_token(claim_id: int, salt: str) -> str:
    mac = hmac.new(_key(), f"{claim_id}:{salt}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def looks_like_token(value: str) -> bool:
    return bool(TOKEN_RE.match(value or ""))
