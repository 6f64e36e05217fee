"""Connecting Google and Microsoft mailboxes over OAuth (authorization code + PKCE), and keeping
their access tokens fresh — against the fake token endpoint in tests/mail/fake_oauth.py."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from claimory.core import durable
from claimory.mail import oauth
from claimory.mail.credentials import ReconnectNeeded, login_for
from claimory.mail.models import Mailbox, MailboxState, OAuthState, Provider, SyncRun, SyncState
from claimory.mail.secrets import reveal
from claimory.mail.work import mailbox_sync_now
from claimory.shops.models import Role
from tests.factories import make_staff
from tests.mail.fake_oauth import CLIENT_ID, CLIENT_SECRET, FakeOAuth
from tests.mail.world import corpus_files

BASE = "https://claimory.example"
CALLBACK = f"{BASE}/staff/settings/email/oauth/callback"
SHOP = "office@northside.test"


@pytest.fixture
def fake(settings):
    fake = FakeOAuth().start()
    settings.BASE_URL = BASE
    settings.OAUTH_GOOGLE_BASE = settings.OAUTH_MICROSOFT_BASE = fake.base_url
    settings.GOOGLE_CLIENT_ID = settings.MICROSOFT_CLIENT_ID = CLIENT_ID
    settings.GOOGLE_CLIENT_SECRET = settings.MICROSOFT_CLIENT_SECRET = CLIENT_SECRET
    settings.MICROSOFT_TENANT = "common"
    yield fake
    fake.stop()


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def connect(fake: FakeOAuth, location, user, provider: str = "google",
            email: str = SHOP) -> Mailbox:
    code, state = fake.approve(oauth.oauth_start(location, user, provider), email=email)
    return oauth.oauth_finish(state=state, code=code, user=user)


def stored(mailbox: Mailbox) -> dict:
    """The mailbox's row as the database holds it."""
    return Mailbox.objects.filter(pk=mailbox.pk).values().get()


# Starting


def test_start_sends_an_s256_challenge_and_a_fresh_state(fake, location, owner):
    url = oauth.oauth_start(location, owner, "google")

    row = OAuthState.objects.get()
    params = _query(url)
    assert url.startswith(f"{fake.base_url}/o/oauth2/v2/auth?")
    assert params["state"] == row.state and len(row.state) >= 32
    assert 43 <= len(row.code_verifier) <= 128
    digest = hashlib.sha256(row.code_verifier.encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert params["code_challenge_method"] == "S256"
    assert params["response_type"] == "code"
    assert params["redirect_uri"] == CALLBACK
    assert params["scope"] == "https://mail.google.com/ openid email"
    assert (params["access_type"], params["prompt"]) == ("offline", "consent")
    assert row.code_verifier not in url  # only its hash leaves
    assert (row.location, row.user, row.provider) == (location, owner, Provider.GOOGLE)


def test_each_start_has_its_own_state_and_verifier(fake, location, owner):
    oauth.oauth_start(location, owner, "google")
    oauth.oauth_start(location, owner, "google")
    first, second = OAuthState.objects.order_by("id")
    assert first.state != second.state and first.code_verifier != second.code_verifier


def test_microsoft_start_asks_for_outlook_imap_and_smtp_with_offline_access(fake, settings,
                                                                          location, owner):
    settings.MICROSOFT_TENANT = "contoso.onmicrosoft.com"
    url = oauth.oauth_start(location, owner, "microsoft")
    assert url.startswith(f"{fake.base_url}/contoso.onmicrosoft.com/oauth2/v2.0/authorize?")
    scopes = _query(url)["scope"].split()
    assert scopes == ["https://outlook.office.com/IMAP.AccessAsUser.All",
                      "https://outlook.office.com/SMTP.Send", "offline_access", "openid",
                      "email"]
    assert oauth.provider_config("microsoft").token_url == \
        f"{fake.base_url}/contoso.onmicrosoft.com/oauth2/v2.0/token"


def test_the_real_endpoints_by_default(settings):
    settings.OAUTH_GOOGLE_BASE = settings.OAUTH_MICROSOFT_BASE = ""
    settings.MICROSOFT_TENANT = "common"
    google, microsoft = oauth.provider_config("google"), oauth.provider_config("microsoft")
    assert google.authorize_url == "https://accounts.google.com/o/oauth2/v2/auth"
    assert google.token_url == "https://oauth2.googleapis.com/token"
    assert (google.imap, google.smtp) == (("imap.gmail.com", 993, "ssl"),
                                          ("smtp.gmail.com", 587, "starttls"))
    assert microsoft.authorize_url == \
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
    assert microsoft.token_url == "https://login.microsoftonline.com/common/oauth2/v2.0/token"
    assert (microsoft.imap, microsoft.smtp) == (("outlook.office365.com", 993, "ssl"),
                                                ("smtp.office365.com", 587, "starttls"))


def test_a_tenant_that_is_not_a_name_is_not_put_in_the_url(settings):
    settings.OAUTH_MICROSOFT_BASE = ""
    settings.MICROSOFT_TENANT = "../evil/x?y"
    assert "/common/oauth2" in oauth.provider_config("microsoft").token_url


def test_a_provider_without_a_client_id_is_not_set_up(fake, settings, location, owner):
    settings.GOOGLE_CLIENT_ID = ""
    assert not oauth.provider_config("google").configured
    with pytest.raises(ValidationError, match="CLAIMORY_GOOGLE_CLIENT_ID"):
        oauth.oauth_start(location, owner, "google")
    assert not OAuthState.objects.exists()


def test_only_google_or_microsoft(fake, location, owner):
    with pytest.raises(ValidationError):
        oauth.oauth_start(location, owner, "yahoo")


def test_a_technician_cannot_start_connecting(fake, location, technician):
    with pytest.raises(PermissionDenied):
        oauth.oauth_start(location, technician, "google")


# Finishing


def test_callback_connects_the_mailbox_with_tokens_encrypted_at_rest(fake, location, owner):
    mailbox = connect(fake, location, owner)

    assert (mailbox.provider, mailbox.address, mailbox.username) == ("google", SHOP, SHOP)
    assert (mailbox.imap_host, mailbox.imap_port, mailbox.imap_security) == \
        ("imap.gmail.com", 993, "ssl")
    assert (mailbox.smtp_host, mailbox.smtp_port, mailbox.smtp_security) == \
        ("smtp.gmail.com", 587, "starttls")
    assert (mailbox.state, mailbox.state_reason, mailbox.connected_by) == \
        (MailboxState.CONNECTED, "", owner)
    refresh, access = next(iter(fake.refresh_tokens)), next(iter(fake.access_tokens))
    row = stored(mailbox)
    assert refresh not in str(row) and access not in str(row)
    assert reveal(row["refresh_token_enc"]) == refresh
    assert reveal(row["access_token_enc"]) == access
    assert row["access_expires_at"] > timezone.now() + dt.timedelta(minutes=55)
    redeemed = fake.requests[-1]
    assert redeemed["grant_type"] == "authorization_code"
    assert redeemed["redirect_uri"] == CALLBACK
    assert redeemed["client_secret"] == CLIENT_SECRET
    assert OAuthState.objects.get().used_at is not None


def test_the_address_comes_from_userinfo_when_the_id_token_has_none(fake, location, owner):
    fake.email_in_id_token = False
    mailbox = connect(fake, location, owner, email="Front@Northside.test")
    assert mailbox.address == "front@northside.test"
    assert fake.calls["userinfo"] == 1


def test_microsoft_connects_with_outlook_hosts(fake, location, owner):
    mailbox = connect(fake, location, owner, "microsoft", email="desk@contoso.test")
    assert (mailbox.provider, mailbox.imap_host, mailbox.smtp_host) == \
        ("microsoft", "outlook.office365.com", "smtp.office365.com")


def test_a_verifier_that_does_not_match_the_challenge_is_refused(fake, location, owner):
    code, state = fake.approve(oauth.oauth_start(location, owner, "google"))
    OAuthState.objects.update(code_verifier="x" * 64)  # not the one whose hash was sent
    with pytest.raises(oauth.OAuthRefused, match="invalid_grant"):
        oauth.oauth_finish(state=state, code=code, user=owner)
    assert not Mailbox.objects.exists()


def test_unknown_state_is_refused_and_nothing_is_stored(fake, location, owner):
    code, _state = fake.approve(oauth.oauth_start(location, owner, "google"))
    with pytest.raises(oauth.OAuthStateError, match="not valid"):
        oauth.oauth_finish(state="made-up", code=code, user=owner)
    assert not Mailbox.objects.exists()
    assert fake.calls["authorization_code"] == 0


def test_a_replayed_state_is_refused(fake, location, owner):
    code, state = fake.approve(oauth.oauth_start(location, owner, "google"))
    oauth.oauth_finish(state=state, code=code, user=owner)
    Mailbox.objects.all().delete()
    with pytest.raises(oauth.OAuthStateError, match="already used"):
        oauth.oauth_finish(state=state, code=code, user=owner)
    assert not Mailbox.objects.exists()
    assert fake.calls["authorization_code"] == 1


def test_a_state_older_than_ten_minutes_is_refused(fake, location, owner):
    code, state = fake.approve(oauth.oauth_start(location, owner, "google"))
    OAuthState.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    with pytest.raises(oauth.OAuthStateError, match="ten minutes"):
        oauth.oauth_finish(state=state, code=code, user=owner)
    assert not Mailbox.objects.exists()
    assert fake.calls["authorization_code"] == 0


def test_someone_elses_state_is_refused(fake, workspace, location, owner):
    manager = make_staff(workspace, Role.MANAGER, email="mia@northside.test")
    code, state = fake.approve(oauth.oauth_start(location, owner, "google"))
    with pytest.raises(oauth.OAuthStateError, match="someone else"):
        oauth.oauth_finish(state=state, code=code, user=manager)
    assert not Mailbox.objects.exists()
    # …and the owner can still finish their own.
    assert oauth.oauth_finish(state=state, code=code, user=owner).address == SHOP


def test_declining_at_the_provider_stores_nothing(fake, location, owner):
    _code, state = fake.approve(oauth.oauth_start(location, owner, "google"))
    with pytest.raises(oauth.OAuthRefused, match="access_denied"):
        oauth.oauth_finish(state=state, code="", user=owner, error="access_denied")
    assert not Mailbox.objects.exists()


def test_the_provider_down_at_the_callback_is_unavailable_not_stored(fake, location, owner):
    code, state = fake.approve(oauth.oauth_start(location, owner, "google"))
    fake.fail_next(status=503)
    with pytest.raises(oauth.OAuthUnavailable):
        oauth.oauth_finish(state=state, code=code, user=owner)
    assert not Mailbox.objects.exists()


# Keeping the access token fresh


def test_a_token_with_more_than_five_minutes_left_is_used_as_is(fake, location, owner):
    mailbox = connect(fake, location, owner)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        access_expires_at=timezone.now() + dt.timedelta(minutes=6))
    mailbox.refresh_from_db()
    token = oauth.access_token(mailbox)
    assert token == next(iter(fake.access_tokens))
    assert fake.calls["refresh_token"] == 0


def test_a_token_about_to_expire_is_refreshed_and_stored(fake, location, owner):
    mailbox = connect(fake, location, owner)
    old = reveal(mailbox.access_token_enc)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        access_expires_at=timezone.now() + dt.timedelta(minutes=4))
    mailbox.refresh_from_db()

    token = oauth.access_token(mailbox)

    assert token != old and fake.access_tokens[token] == SHOP
    assert fake.calls["refresh_token"] == 1
    assert "scope" not in fake.requests[-1]  # Google keeps the grant's scopes
    row = stored(mailbox)
    assert token not in str(row) and reveal(row["access_token_enc"]) == token
    assert row["access_expires_at"] > timezone.now() + dt.timedelta(minutes=55)
    # Next time it is fresh: no second refresh.
    mailbox.refresh_from_db()
    assert oauth.access_token(mailbox) == token
    assert fake.calls["refresh_token"] == 1


def test_login_for_hands_the_transports_an_xoauth2_login(fake, location, owner):
    mailbox = connect(fake, location, owner)
    login = login_for(mailbox)
    assert (login.username, login.mechanism) == (SHOP, "xoauth2")
    assert login.xoauth2() == f"user={SHOP}\x01auth=Bearer {login.secret}\x01\x01".encode()


def test_microsoft_rotates_the_refresh_token_and_the_new_one_is_kept(fake, location, owner):
    fake.rotate = True
    mailbox = connect(fake, location, owner, "microsoft")
    first = reveal(mailbox.refresh_token_enc)
    Mailbox.objects.filter(pk=mailbox.pk).update(access_expires_at=timezone.now())
    mailbox.refresh_from_db()

    oauth.access_token(mailbox)

    assert fake.requests[-1]["scope"].startswith("https://outlook.office.com/IMAP")
    second = reveal(stored(mailbox)["refresh_token_enc"])
    assert second != first and second in fake.refresh_tokens and first not in fake.refresh_tokens
    # The rotated token works for the next refresh.
    Mailbox.objects.filter(pk=mailbox.pk).update(access_expires_at=timezone.now())
    mailbox.refresh_from_db()
    oauth.access_token(mailbox)
    assert fake.calls["refresh_token"] == 2
    assert stored(mailbox)["state"] == MailboxState.CONNECTED


def test_a_token_another_worker_just_refreshed_is_not_refreshed_again(fake, location, owner):
    mailbox = connect(fake, location, owner)
    stale = Mailbox.objects.get(pk=mailbox.pk)
    stale.access_expires_at = timezone.now()  # what this worker loaded a while ago
    # Meanwhile the row (another worker's refresh) has a fresh token.
    assert oauth.access_token(stale) == reveal(mailbox.access_token_enc)
    assert fake.calls["refresh_token"] == 0


def test_a_revoked_refresh_token_asks_for_a_reconnect(fake, location, owner):
    mailbox = connect(fake, location, owner)
    fake.revoke(reveal(mailbox.refresh_token_enc))
    Mailbox.objects.filter(pk=mailbox.pk).update(access_expires_at=timezone.now())
    mailbox.refresh_from_db()

    with pytest.raises(ReconnectNeeded, match="invalid_grant") as caught:
        oauth.access_token(mailbox)

    row = stored(mailbox)
    assert row["state"] == MailboxState.RECONNECT
    assert "Google no longer accepts" in row["state_reason"]
    assert str(caught.value) == row["state_reason"]
    assert mailbox.state == MailboxState.RECONNECT
    # Until someone reconnects, no more refresh attempts.
    with pytest.raises(ReconnectNeeded):
        oauth.access_token(mailbox)
    assert fake.calls["refresh_token"] == 1


def test_invalid_grant_answer_marks_the_mailbox(fake, location, owner):
    mailbox = connect(fake, location, owner)
    Mailbox.objects.filter(pk=mailbox.pk).update(access_expires_at=timezone.now())
    mailbox.refresh_from_db()
    fake.invalid_grant_next("Token has been expired or revoked.")
    with pytest.raises(ReconnectNeeded, match="expired or revoked"):
        oauth.access_token(mailbox)
    assert stored(mailbox)["state"] == MailboxState.RECONNECT


@pytest.mark.parametrize("status", [503, 500, 429])
def test_provider_trouble_is_retryable_and_changes_nothing(fake, location, owner, status):
    mailbox = connect(fake, location, owner)
    Mailbox.objects.filter(pk=mailbox.pk).update(access_expires_at=timezone.now())
    mailbox.refresh_from_db()
    before = stored(mailbox)
    fake.fail_next(status=status)

    with pytest.raises(oauth.OAuthUnavailable) as caught:
        oauth.access_token(mailbox)

    assert caught.value.retryable
    assert stored(mailbox) == before
    # Once the provider is back, the same mailbox refreshes fine.
    assert oauth.access_token(mailbox) in fake.access_tokens


def test_an_unreachable_provider_is_retryable(fake, settings, location, owner):
    mailbox = connect(fake, location, owner)
    Mailbox.objects.filter(pk=mailbox.pk).update(access_expires_at=timezone.now())
    mailbox.refresh_from_db()
    fake.stop()
    with pytest.raises(oauth.OAuthUnavailable, match="could not be reached"):
        oauth.access_token(mailbox)
    assert stored(mailbox)["state"] == MailboxState.CONNECTED


def test_a_disconnected_mailbox_gives_no_token(fake, location, owner):
    mailbox = connect(fake, location, owner)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        state=MailboxState.DISCONNECTED, access_expires_at=timezone.now())
    mailbox.refresh_from_db()
    with pytest.raises(ReconnectNeeded):
        oauth.access_token(mailbox)
    assert fake.calls["refresh_token"] == 0


# Reconnecting


def test_reconnecting_the_same_account_keeps_where_the_sync_stands(fake, location, owner):
    mailbox = connect(fake, location, owner)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        uidvalidity=7, last_uid=42, state=MailboxState.RECONNECT, state_reason="revoked")

    again = connect(fake, location, owner)

    assert again.pk == mailbox.pk
    assert (again.uidvalidity, again.last_uid) == (7, 42)
    assert (again.state, again.state_reason) == (MailboxState.CONNECTED, "")
    assert Mailbox.objects.count() == 1
    # The reconnect offered the same account at the provider.
    url = oauth.oauth_start(location, owner, "google")
    assert _query(url)["login_hint"] == SHOP


def test_connecting_another_account_starts_its_sync_afresh(fake, location, owner):
    mailbox = connect(fake, location, owner)
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=7, last_uid=42)
    other = connect(fake, location, owner, email="claims@northside.test")
    assert other.pk == mailbox.pk
    assert (other.address, other.uidvalidity, other.last_uid) == ("claims@northside.test",
                                                                  None, 0)


def test_tokens_never_reach_the_log(fake, location, owner, caplog):
    caplog.set_level(logging.DEBUG)
    fake.rotate = True
    mailbox = connect(fake, location, owner, "microsoft")
    Mailbox.objects.filter(pk=mailbox.pk).update(access_expires_at=timezone.now())
    mailbox.refresh_from_db()
    oauth.access_token(mailbox)
    fake.invalid_grant_next()
    Mailbox.objects.filter(pk=mailbox.pk).update(access_expires_at=timezone.now())
    mailbox.refresh_from_db()
    with pytest.raises(ReconnectNeeded):
        oauth.access_token(mailbox)
    secrets = [*fake.access_tokens, *fake.refresh_tokens,
               *(r.get("refresh_token", "") for r in fake.requests)]
    assert caplog.text
    for secret in filter(None, secrets):
        assert secret not in caplog.text


# End to end: the token feeds the real IMAP sync (dovecot checks it with its provider)


def _sync(mailbox: Mailbox) -> SyncRun:
    run = mailbox_sync_now(mailbox)
    durable.run_due()
    run.refresh_from_db()
    mailbox.refresh_from_db()
    return run


def _expire(mailbox: Mailbox) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(access_expires_at=timezone.now())
    mailbox.refresh_from_db()


def test_connected_mailbox_syncs_refreshes_and_asks_for_a_reconnect_when_revoked(
        fake, location, owner, dovecot):
    fake.issue = [dovecot.token, dovecot.token]  # the one token dovecot's provider accepts
    mailbox = connect(fake, location, owner, email=dovecot.user)
    # Gmail's servers stand in for dovecot here; everything else is as connected.
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host=dovecot.host, imap_port=dovecot.port, imap_security="none",
        folder=dovecot.folder)
    mailbox.refresh_from_db()
    dovecot.append(corpus_files()[0].read_bytes(), folder=dovecot.folder)

    first = _sync(mailbox)
    assert (first.state, first.fetched) == (SyncState.DONE, 1)
    assert fake.calls["refresh_token"] == 0

    _expire(mailbox)
    dovecot.append(corpus_files()[1].read_bytes(), folder=dovecot.folder)
    second = _sync(mailbox)
    assert (second.state, second.fetched) == (SyncState.DONE, 1)
    assert fake.calls["refresh_token"] == 1
    assert mailbox.access_expires_at > timezone.now() + dt.timedelta(minutes=55)

    fake.revoke(reveal(mailbox.refresh_token_enc))
    _expire(mailbox)
    asked = dovecot.introspection.asked
    third = _sync(mailbox)
    assert third.state == SyncState.FAILED
    assert (mailbox.state, mailbox.last_uid) == (MailboxState.RECONNECT, second_uid(mailbox))
    assert "Reconnect it" in mailbox.state_reason and "no longer accepts" in third.error
    assert dovecot.introspection.asked == asked  # the server was not bothered

    again = connect(fake, location, owner, email=dovecot.user)
    assert (again.state, again.state_reason) == (MailboxState.CONNECTED, "")


def second_uid(mailbox: Mailbox) -> int:
    return max(mailbox.messages.values_list("uid", flat=True))
