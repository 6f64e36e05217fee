"""Every rate limit the app enforces, keyed by plain strings (a client IP, an email, a claim).

The numbers are in settings (and the README's table); the counting is core/rate_window.py,
shared by all worker processes. Callers get the client IP from core/clients.py.
"""

from __future__ import annotations

import math

from django.conf import settings

from claimory.core.rate_window import FixedWindow

# Unknown portal tokens per client: 404s until the limit, then 429 for everything token-based
# (valid tokens included, so a blocked guesser learns nothing).
_TOKEN_MISSES = FixedWindow("portal404", 60)
# Failed staff sign-ins, per account (the email typed, whether or not it exists) and per client.
SIGNIN_WINDOW_SECONDS = 15 * 60
_SIGNIN_ACCOUNT = FixedWindow("signin-account", SIGNIN_WINDOW_SECONDS)
_SIGNIN_CLIENT = FixedWindow("signin-client", SIGNIN_WINDOW_SECONDS)
# Password-reset requests, per email typed and per client.
RESET_WINDOW_SECONDS = 60 * 60
_RESET_EMAIL = FixedWindow("reset-email", RESET_WINDOW_SECONDS)
_RESET_CLIENT = FixedWindow("reset-client", RESET_WINDOW_SECONDS)


def token_miss_wait(ip: str) -> int | None:
    """Seconds until this client may look up portal tokens again, or None."""
    return _TOKEN_MISSES.retry_after(ip, settings.PORTAL_404_LIMIT_PER_MINUTE)


def token_miss_record(ip: str) -> None:
    _TOKEN_MISSES.hit(ip)


def _longest_wait(*waits: int | None) -> int | None:
    found = [w for w in waits if w]
    return max(found) if found else None


def signin_start(email: str, ip: str) -> int | None:
    """Counts a sign-in attempt; seconds to wait (refuse it) or None (go on and check it).

    The account's count is taken atomically before the password is checked, so parallel
    guesses cannot all slip in; a success clears it (signin_succeeded). The client's count
    is only of failures (an office behind one address signs in often), read here.
    """
    return _longest_wait(
        _SIGNIN_ACCOUNT.take(email, settings.SIGNIN_LIMIT_PER_ACCOUNT),
        _SIGNIN_CLIENT.retry_after(ip, settings.SIGNIN_LIMIT_PER_CLIENT))


def signin_failed(ip: str) -> None:
    _SIGNIN_CLIENT.hit(ip)


def signin_succeeded(email: str) -> None:
    # The account's own mistypes are forgiven; the client's failures stand (one client
    # trying many accounts still reaches its limit).
    _SIGNIN_ACCOUNT.clear(email)


def reset_start(email: str, ip: str) -> int | None:
    """Counts a password-reset request; seconds to wait (send nothing) or None (go on)."""
    return _longest_wait(
        _RESET_EMAIL.take(email, settings.RESET_LIMIT_PER_EMAIL),
        _RESET_CLIENT.take(ip, settings.RESET_LIMIT_PER_CLIENT))


def minutes(seconds: int) -> int:
    """A wait as whole minutes for people (never 0)."""
    return max(1, math.ceil(seconds / 60))
