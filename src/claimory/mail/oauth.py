"""OAuth for Google and Microsoft mailboxes: the authorization-code flow with PKCE that
connects a location's mailbox, and the refresh that keeps its access token usable.

``oauth_start`` writes an ``OAuthState`` (a random ``state`` and the PKCE verifier) and
answers the provider's sign-in URL; ``oauth_finish`` redeems the code the provider sends
back to /staff/settings/email/oauth/callback and stores the tokens (encrypted, mail/secrets)
on the location's ``Mailbox``. ``access_token`` is what the IMAP/SMTP transports get through
``credentials.login_for``: the stored token while it has more than five minutes left, else a
refreshed one. Tokens never reach a log or an error message.

Errors: ``OAuthStateError`` (the callback can't be trusted: 400), ``OAuthRefused`` (the
provider said no), ``OAuthUnavailable`` (network or a 5xx: try again later — the durable
caller retries), and ``credentials.ReconnectNeeded`` when the refresh token is dead.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.client
import json
import logging
import re
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from claimory.core.origin import base_url
from claimory.mail.connect import PERM
from claimory.mail.mailboxes import mailbox_needs_reconnect
from claimory.mail.models import Mailbox, MailboxState, OAuthState, Provider, Security
from claimory.mail.secrets import SecretUnreadable, reveal, seal
from claimory.mail.transport import MailTransportError
from claimory.shops.models import Location
from claimory.shops.permissions import require

log = logging.getLogger(__name__)

STATE_TTL = dt.timedelta(minutes=10)
REFRESH_MARGIN = dt.timedelta(minutes=5)  # refresh a token with less than this left
TIMEOUT_SECONDS = 10
DEFAULT_LIFETIME = 3600  # when a token answer gives no expires_in
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$")


class OAuthError(RuntimeError):
    """An OAuth step failed. ``str(exc)`` is safe to show staff (it never holds a token)."""


class OAuthStateError(OAuthError):
    """The callback's ``state`` is unknown, used, too old or someone else's: answer 400."""


class OAuthRefused(OAuthError):
    """The provider refused the request (``error`` is its OAuth error code)."""

    def __init__(self, message: str, error: str = "") -> None:
        super().__init__(message)
        self.error = error


class OAuthUnavailable(OAuthError, MailTransportError):
    """The provider could not be reached or answered 5xx/429: worth trying again later. A
    retryable MailTransportError, so the sync and send workers retry it like a server that
    is down, and the mailbox stays connected."""

    def __init__(self, detail: str) -> None:
        MailTransportError.__init__(self, detail, retryable=True)


class _InvalidGrant(OAuthRefused):
    """The code or refresh token is dead (revoked, expired, already redeemed)."""


@dataclass(frozen=True)
class ProviderConfig:
    """How to talk to one provider, from settings (read at call time)."""

    key: str
    name: str
    authorize_url: str
    token_url: str
    userinfo_url: str
    scope: str
    extra_params: dict[str, str]
    imap: tuple[str, int, str]
    smtp: tuple[str, int, str]
    client_id: str
    client_secret: str = field(repr=False)
    env: tuple[str, ...]  # what an operator sets to switch it on

    @property
    def configured(self) -> bool:
        return bool(self.client_id)


def _google() -> ProviderConfig:
    base = settings.OAUTH_GOOGLE_BASE
    return ProviderConfig(
        key=Provider.GOOGLE, name="Google",
        authorize_url=f"{base or 'https://accounts.google.com'}/o/oauth2/v2/auth",
        token_url=f"{base or 'https://oauth2.googleapis.com'}/token",
        userinfo_url=f"{base or 'https://openidconnect.googleapis.com'}/v1/userinfo",
        scope="https://mail.google.com/ openid email",
        # offline + consent: Google only hands out a refresh token when asked for one, and
        # only on a consent screen (a second connect would otherwise come back without one).
        extra_params={"access_type": "offline", "prompt": "consent"},
        imap=("imap.gmail.com", 993, Security.SSL),
        smtp=("smtp.gmail.com", 587, Security.STARTTLS),
        client_id=settings.GOOGLE_CLIENT_ID, client_secret=settings.GOOGLE_CLIENT_SECRET,
        env=("CLAIMORY_GOOGLE_CLIENT_ID", "CLAIMORY_GOOGLE_CLIENT_SECRET"))


def _microsoft() -> ProviderConfig:
    tenant = settings.MICROSOFT_TENANT or "common"
    if not _TENANT.match(tenant):
        tenant = "common"  # it goes into a URL path: never let it add one
    origin = settings.OAUTH_MICROSOFT_BASE or "https://login.microsoftonline.com"
    return ProviderConfig(
        key=Provider.MICROSOFT, name="Microsoft",
        authorize_url=f"{origin}/{tenant}/oauth2/v2.0/authorize",
        token_url=f"{origin}/{tenant}/oauth2/v2.0/token",
        userinfo_url="",  # the token is for outlook.office.com, not Graph: use the id_token
        # The Outlook resource's scopes (Graph-audience tokens are refused by IMAP/SMTP);
        # offline_access is what brings a refresh token.
        scope=("https://outlook.office.com/IMAP.AccessAsUser.All "
               "https://outlook.office.com/SMTP.Send offline_access openid email"),
        extra_params={"response_mode": "query", "prompt": "select_account"},
        imap=("outlook.office365.com", 993, Security.SSL),
        smtp=("smtp.office365.com", 587, Security.STARTTLS),
        client_id=settings.MICROSOFT_CLIENT_ID, client_secret=settings.MICROSOFT_CLIENT_SECRET,
        env=("CLAIMORY_MICROSOFT_CLIENT_ID", "CLAIMORY_MICROSOFT_CLIENT_SECRET",
             "CLAIMORY_MICROSOFT_TENANT"))


_PROVIDERS = {Provider.GOOGLE.value: _google, Provider.MICROSOFT.value: _microsoft}


def provider_config(provider: str) -> ProviderConfig:
    """The provider's settings; ValidationError for anything but google / microsoft."""
    make = _PROVIDERS.get(provider)
    if make is None:
        raise ValidationError({"provider": ["Pick Google or Microsoft."]})
    return make()


def providers() -> list[ProviderConfig]:
    return [make() for make in _PROVIDERS.values()]


def redirect_uri() -> str:
    """Where the provider sends the person back: registered as-is in the OAuth app."""
    return f"{base_url()}{reverse('backoffice:settings_email_oauth_callback')}"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))), unpadded."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def oauth_start(location: Location, user: Any, provider: str) -> str:
    """Begin connecting ``location``'s mailbox at ``provider`` for ``user``: the URL of the
    provider's sign-in page."""
    require(user, PERM, location)
    config = provider_config(provider)
    if not config.configured:
        raise ValidationError({"provider": [
            f"{config.name} sign-in is not set up on this server (set "
            f"{' and '.join(config.env[:2])})."]})
    # 64 random bytes → an 86-character verifier of unreserved characters (RFC 7636: 43–128).
    verifier = secrets.token_urlsafe(64)
    state = secrets.token_urlsafe(32)
    OAuthState.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    OAuthState.objects.create(state=state, code_verifier=verifier, provider=config.key,
                              location=location, user=user)
    params = {
        "client_id": config.client_id, "redirect_uri": redirect_uri(), "response_type": "code",
        "scope": config.scope, "state": state, "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256", **config.extra_params,
    }
    current = Mailbox.objects.filter(location=location, provider=config.key).first()
    if current is not None:
        params["login_hint"] = current.address  # reconnecting: offer the same account
    return f"{config.authorize_url}?{urlencode(params)}"


def oauth_state_take(state: str, user: Any) -> OAuthState:
    """The connect attempt ``state`` names, marked used; OAuthStateError unless it exists, is
    unused, younger than ten minutes and was started by ``user``."""
    if not state or len(state) > 64:
        raise OAuthStateError("This sign-in link is not valid. Start connecting again.")
    row = OAuthState.objects.select_related("location").filter(state=state).first()
    if row is None:
        raise OAuthStateError("This sign-in link is not valid. Start connecting again.")
    if row.user_id != getattr(user, "pk", None):
        raise OAuthStateError("This sign-in was started by someone else. Start connecting "
                              "again from your own account.")
    if row.created_at < timezone.now() - STATE_TTL:
        raise OAuthStateError("This sign-in took longer than ten minutes. Start connecting "
                              "again.")
    # One conditional UPDATE: of two requests carrying the same state, only one gets it.
    taken = OAuthState.objects.filter(pk=row.pk, used_at__isnull=True).update(
        used_at=timezone.now())
    if not taken:
        raise OAuthStateError("This sign-in was already used. Start connecting again.")
    return row


def _post_form(url: str, form: dict[str, str]) -> dict[str, Any]:
    """POST ``form`` to a token endpoint and return its JSON answer.

    _InvalidGrant for ``invalid_grant``; OAuthRefused for another 4xx; OAuthUnavailable for
    network trouble, a 429/5xx or an answer that isn't JSON."""
    request = urllib.request.Request(  # noqa: S310 - https origins, or the tests' loopback fake
        url, data=urlencode(form).encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return _json_object(response.read())
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets
        reason = getattr(exc, "reason", exc)
        raise OAuthUnavailable(f"The sign-in service could not be reached ({reason}).") \
            from None
    if status == 429 or status >= 500:
        raise OAuthUnavailable(f"The sign-in service answered HTTP {status}; trying again "
                               f"later.")
    try:
        answer = _json_object(body)
    except OAuthUnavailable:
        answer = {}
    error = str(answer.get("error") or f"http_{status}")[:60]
    # error_description is the provider's text about the request, never a token.
    detail = str(answer.get("error_description") or "").split("\r\n")[0][:200]
    message = f"{error}: {detail}" if detail else error
    if error == "invalid_grant":
        raise _InvalidGrant(message, error)
    raise OAuthRefused(message, error)


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise OAuthUnavailable("The sign-in service answered something that isn't JSON.") \
            from None
    if not isinstance(answer, dict):
        raise OAuthUnavailable("The sign-in service answered something unexpected.")
    return answer


def _get_json(url: str, access_token: str) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - https origins, or the tests' loopback fake
        url, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return _json_object(response.read())
    except urllib.error.HTTPError as exc:
        raise OAuthRefused(f"The account's details could not be read (HTTP {exc.code}).") \
            from None
    except (OSError, http.client.HTTPException):
        raise OAuthUnavailable("The sign-in service could not be reached.") from None


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, without checking its signature: only ever called on an id_token
    that came straight from the provider's token endpoint over TLS in answer to our own
    request (OpenID Connect Core §3.1.3.7 lets a client skip the check then)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _address_of(config: ProviderConfig, answer: dict[str, Any]) -> str:
    """The mailbox's address: the id_token's ``email`` (Microsoft: ``preferred_username``,
    the sign-in name, when the account has no email claim), else the userinfo endpoint."""
    claims = jwt_claims(str(answer.get("id_token") or ""))
    candidates = [claims.get("email")]
    if config.key == Provider.MICROSOFT:
        candidates.append(claims.get("preferred_username"))
    if not any(candidates) and config.userinfo_url:
        candidates.append(_get_json(config.userinfo_url, answer["access_token"]).get("email"))
    for candidate in candidates:
        if isinstance(candidate, str):
            address = candidate.strip().lower()
            try:
                validate_email(address)
            except ValidationError:
                continue
            return address
    raise OAuthRefused(f"{config.name} did not say which email address this account has.")


def _tokens(answer: dict[str, Any]) -> tuple[str, str, dt.datetime]:
    """(access token, refresh token or "", expiry) from a token endpoint's answer."""
    access = answer.get("access_token")
    if not isinstance(access, str) or not access:
        raise OAuthUnavailable("The sign-in service answered without an access token.")
    refresh = answer.get("refresh_token")
    try:
        lifetime = int(answer.get("expires_in") or DEFAULT_LIFETIME)
    except (TypeError, ValueError):
        lifetime = DEFAULT_LIFETIME
    expires = timezone.now() + dt.timedelta(seconds=max(60, min(lifetime, 86_400)))
    return access, refresh if isinstance(refresh, str) else "", expires


def oauth_finish(*, state: str, code: str, user: Any, error: str = "",
                 error_description: str = "") -> Mailbox:
    """Finish a connect: check ``state``, redeem ``code`` and store the location's mailbox.

    Raises OAuthStateError (nothing stored), OAuthRefused (the person declined, or the
    provider refused the code) or OAuthUnavailable. Connecting the same account again (after
    a dead token) keeps where the sync stands: no history is fetched twice.
    """
    row = oauth_state_take(state, user)
    require(user, PERM, row.location)
    config = provider_config(row.provider)
    if error:
        shown = error_description.strip()[:200] or error[:60]
        raise OAuthRefused(f"{config.name} did not connect the mailbox: {shown}", error[:60])
    if not code or len(code) > 4096:
        raise OAuthStateError(f"{config.name} sent no sign-in code. Start connecting again.")
    answer = _post_form(config.token_url, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(),
        "client_id": config.client_id, "client_secret": config.client_secret,
        "code_verifier": row.code_verifier})
    access, refresh, expires = _tokens(answer)
    if not refresh:
        raise OAuthRefused(f"{config.name} gave no refresh token, so the mailbox would stop "
                           f"working within the hour. Connect again and accept every "
                           f"permission asked.")
    address = _address_of(config, answer)
    return _mailbox_store(row.location, config, user=user, address=address, access=access,
                          refresh=refresh, expires=expires)


@transaction.atomic
def _mailbox_store(location: Location, config: ProviderConfig, *, user: Any, address: str,
                   access: str, refresh: str, expires: dt.datetime) -> Mailbox:
    mailbox = Mailbox.objects.select_for_update().filter(location=location).first()
    # The same account on the same server (a reconnect after a dead token, or a password
    # login moved to OAuth): its UIDs still hold, so the sync carries on where it was.
    same = (mailbox is not None and mailbox.address == address
            and mailbox.imap_host == config.imap[0])
    if mailbox is None:
        mailbox = Mailbox(location=location)
    if not same:
        # Another account's UIDs mean nothing here: its sync starts afresh.
        mailbox.uidvalidity, mailbox.last_uid, mailbox.folder = None, 0, "INBOX"
    mailbox.provider, mailbox.address, mailbox.username = config.key, address, address
    (mailbox.imap_host, mailbox.imap_port, mailbox.imap_security) = config.imap
    (mailbox.smtp_host, mailbox.smtp_port, mailbox.smtp_security) = config.smtp
    mailbox.password_enc = ""
    mailbox.refresh_token_enc, mailbox.access_token_enc = seal(refresh), seal(access)
    mailbox.access_expires_at = expires
    mailbox.state, mailbox.state_reason = MailboxState.CONNECTED, ""
    mailbox.connected_by = user if getattr(user, "is_authenticated", False) else None
    mailbox.save()
    log.info("mailbox %s of location %s connected via %s", mailbox.pk, location.pk, config.key)
    return mailbox


def _usable(mailbox: Mailbox) -> str:
    """The stored access token if it has more than REFRESH_MARGIN left, else ""."""
    if not mailbox.access_expires_at or \
            mailbox.access_expires_at - timezone.now() <= REFRESH_MARGIN:
        return ""
    try:
        return reveal(mailbox.access_token_enc)
    except SecretUnreadable:
        return ""


def access_token(mailbox: Mailbox) -> str:
    """A usable access token for ``mailbox`` (Google or Microsoft).

    Refreshes under a row lock when less than five minutes are left, so two workers don't
    both spend the refresh token (Microsoft rotates it: the loser's would be stale). A dead
    refresh token marks the mailbox "needs reconnecting" and raises ReconnectNeeded; network
    trouble or a 5xx raises OAuthUnavailable (the durable caller retries later).
    """
    from claimory.mail.credentials import ReconnectNeeded

    token = _usable(mailbox)
    if token:
        return token
    dead = ""
    with transaction.atomic():
        row = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        token = _usable(row)  # another worker refreshed while we waited for the lock
        if token:
            _copy_tokens(row, mailbox)
            return token
        if row.state != MailboxState.CONNECTED:
            raise ReconnectNeeded(row.state_reason or "The mailbox is not connected.")
        try:
            refresh = reveal(row.refresh_token_enc)
        except SecretUnreadable as exc:
            refresh, dead = "", str(exc)
        config = provider_config(row.provider)
        if refresh:
            try:
                answer = _post_form(config.token_url, _refresh_form(config, refresh))
            except _InvalidGrant as exc:
                dead = (f"{config.name} no longer accepts the mailbox's sign-in ({exc}). "
                        f"Reconnect it.")
            else:
                access, rotated, expires = _tokens(answer)
                row.access_token_enc, row.access_expires_at = seal(access), expires
                if rotated:
                    row.refresh_token_enc = seal(rotated)
                row.save(update_fields=["access_token_enc", "access_expires_at",
                                        "refresh_token_enc", "updated_at"])
                _copy_tokens(row, mailbox)
                return access
        dead = dead or "No sign-in is stored for this mailbox. Reconnect it."
    # Outside the transaction: the "needs reconnecting" state must stay written.
    log.warning("mailbox %s needs reconnecting: refresh refused", mailbox.pk)
    mailbox_needs_reconnect(mailbox, dead)
    raise ReconnectNeeded(dead)


def _refresh_form(config: ProviderConfig, refresh: str) -> dict[str, str]:
    form = {"grant_type": "refresh_token", "refresh_token": refresh,
            "client_id": config.client_id, "client_secret": config.client_secret}
    if config.key == Provider.MICROSOFT:
        form["scope"] = config.scope  # v2.0 wants the scopes again; Google keeps the grant's
    return form


def _copy_tokens(source: Mailbox, target: Mailbox) -> None:
    target.access_token_enc = source.access_token_enc
    target.access_expires_at = source.access_expires_at
    target.refresh_token_enc = source.refresh_token_enc
