"""Settings → Email: connecting a location's mailbox from the staff pages — Google/Microsoft
through the fake OAuth provider, any other provider through a real IMAP server (dovecot) and
a real SMTP server (aiosmtpd) on loopback — plus sync now, settings and disconnect."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claimory.mail import connect
from claimory.mail.models import (
    Mailbox,
    MailboxState,
    MailDirection,
    MailMessage,
    MailStatus,
    OAuthState,
    Provider,
    Source,
    SyncRun,
)
from claimory.mail.secrets import reveal, seal
from claimory.shops.models import Role
from tests.factories import make_staff
from tests.mail.fake_oauth import CLIENT_ID, CLIENT_SECRET, FakeOAuth
from tests.mail.servers import PASSWORD as SERVER_PASSWORD
from tests.mail.servers import USER, free_port

PAGE = "/staff/settings/email"
SHOP, PASSWORD = USER, SERVER_PASSWORD  # the loopback servers' login


@pytest.fixture
def servers(dovecot, smtp):
    """dovecot (IMAP) and aiosmtpd (SMTP) on loopback, both taking the same login."""
    smtp.behaviour.password = dovecot.password
    return dovecot, smtp


@pytest.fixture
def fake(settings):
    fake = FakeOAuth().start()
    settings.BASE_URL = "http://testserver"
    settings.OAUTH_GOOGLE_BASE = settings.OAUTH_MICROSOFT_BASE = fake.base_url
    settings.GOOGLE_CLIENT_ID = settings.MICROSOFT_CLIENT_ID = CLIENT_ID
    settings.GOOGLE_CLIENT_SECRET = settings.MICROSOFT_CLIENT_SECRET = CLIENT_SECRET
    yield fake
    fake.stop()


@pytest.fixture
def unset(settings):
    settings.GOOGLE_CLIENT_ID = settings.MICROSOFT_CLIENT_ID = ""


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return signed_in(owner)


@pytest.fixture
def manager(workspace, location):
    return make_staff(workspace, Role.MANAGER, email="mia@northside.test", first_name="Mia")


def page(client, slug: str = "northside"):
    return client.get(PAGE, {"location": slug})


def url(name: str, slug: str = "northside", *args) -> str:
    return reverse(f"backoffice:settings_email_{name}", args=[slug, *args])


def imap_data(servers=None, **changes) -> dict:
    dovecot, smtp = servers or (None, None)
    data = {
        "address": SHOP, "display_name": "Northside Collision",
        "imap_host": "127.0.0.1", "imap_port": str(dovecot.port if dovecot else 1),
        "imap_security": "none",
        "smtp_host": "127.0.0.1", "smtp_port": str(smtp.port if smtp else 1),
        "smtp_security": "none", "username": SHOP, "password": PASSWORD, "action": "connect",
    }
    data.update(changes)
    return data


def a_mailbox(location, **fields) -> Mailbox:
    values = {"provider": Provider.GOOGLE, "address": "office@northside.test",
              "username": "office@northside.test", "imap_host": "imap.gmail.com",
              "smtp_host": "smtp.gmail.com", "refresh_token_enc": seal("1//refresh"),
              "access_token_enc": seal("ya29.access"),
              "access_expires_at": timezone.now() + timezone.timedelta(hours=1)}
    values.update(fields)
    return Mailbox.objects.create(location=location, **values)


# The page


def test_page_without_a_mailbox_offers_every_way_to_connect(fake, owner_client):
    response = page(owner_client)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not connected" in html
    assert "Connect Google" in html and "Connect Microsoft" in html
    assert "Other provider (IMAP and SMTP)" in html
    assert 'aria-current="page">Email<' in html


def test_a_provider_without_a_client_id_says_what_to_set(unset, owner_client):
    html = page(owner_client).content.decode()
    assert "Connect Google" not in html and "Connect Microsoft" not in html
    assert html.count("Not set up on this server") == 2
    assert "CLAIMORY_GOOGLE_CLIENT_ID" in html and "CLAIMORY_MICROSOFT_TENANT" in html
    assert "/staff/settings/email/oauth/callback" in html  # the redirect URI to register


def test_posting_to_an_unset_provider_is_a_clear_400(unset, owner_client):
    response = owner_client.post(url("oauth", "northside", "google"))
    assert response.status_code == 400
    assert "CLAIMORY_GOOGLE_CLIENT_ID" in response.content.decode()
    assert not OAuthState.objects.exists()


def test_an_unknown_provider_is_a_400(fake, owner_client):
    response = owner_client.post(url("oauth", "northside", "yahoo"))
    assert response.status_code == 400
    assert not OAuthState.objects.exists()


def test_the_settings_tabs_show_email_to_owners(owner_client):
    html = owner_client.get("/staff/settings/location").content.decode()
    assert f'href="{PAGE}?location=northside"' in html


def test_connected_mailbox_shows_address_provider_and_last_sync(fake, owner_client, location,
                                                                owner):
    mailbox = a_mailbox(location, connected_by=owner)
    SyncRun.objects.create(mailbox=mailbox, state="done", fetched=5, filed=3, unmatched=1,
                           ignored=1, finished_at=timezone.now())
    html = page(owner_client).content.decode()
    assert "Connected as <strong>office@northside.test</strong> via Google" in html
    assert "5 new, 3 on claims, 1 waiting in the inbox, 1 kept out" in html
    assert "Sync now" in html and "Disconnect…" in html
    assert "Connect a different mailbox" in html


def test_a_dead_token_shows_the_reason_and_a_reconnect_button(fake, owner_client, location):
    a_mailbox(location, state=MailboxState.RECONNECT,
              state_reason="Google no longer accepts the mailbox's sign-in.")
    html = page(owner_client).content.decode()
    assert "Needs reconnecting" in html
    assert "Google no longer accepts the mailbox&#x27;s sign-in." in html
    assert f'action="{url("oauth", "northside", "google")}"' in html
    assert "Reconnect office@northside.test" in html
    assert "Sync now" not in html


# Who may


@pytest.mark.parametrize("persona", ["technician", "front_desk", "production"])
def test_floor_and_desk_staff_cannot_open_or_change_it(request, fake, location, persona):
    client = signed_in(request.getfixturevalue(persona))
    assert page(client).status_code == 403
    for target in (url("oauth", "northside", "google"), url("imap"), url("sync"),
                   url("disconnect"), url("mailbox")):
        assert client.post(target, imap_data()).status_code == 403
    assert not OAuthState.objects.exists() and not Mailbox.objects.exists()


def test_a_manager_may(fake, manager):
    assert page(signed_in(manager)).status_code == 200


def test_another_shops_location_is_404(fake, outsider, location):
    a_mailbox(location)
    client = signed_in(outsider)
    assert page(client, "northside").status_code == 404
    for target in (url("oauth", "northside", "google"), url("imap"), url("sync"),
                   url("disconnect"), url("mailbox")):
        assert client.post(target, imap_data(display_name="Hijack")).status_code == 404
    mailbox = Mailbox.objects.get()
    assert mailbox.state == MailboxState.CONNECTED and mailbox.display_name == ""
    assert not OAuthState.objects.exists() and not SyncRun.objects.exists()


def test_a_callback_for_another_shop_state_is_400(fake, owner_client, other_location, outsider):
    from claimory.mail import oauth

    code, state = fake.approve(oauth.oauth_start(other_location, outsider, "google"))
    response = owner_client.get(reverse("backoffice:settings_email_oauth_callback"),
                                {"code": code, "state": state})
    assert response.status_code == 400
    assert "someone else" in response.content.decode()
    assert not Mailbox.objects.exists()


# OAuth through the pages


def test_connect_google_end_to_end(fake, owner_client, location, owner):
    response = owner_client.post(url("oauth", "northside", "google"))
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(f"{fake.base_url}/o/oauth2/v2/auth?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["http://testserver/staff/settings/email/oauth/callback"]

    code, state = fake.approve(authorize, email="office@northside.test")
    back = owner_client.get(reverse("backoffice:settings_email_oauth_callback"),
                            {"code": code, "state": state})

    assert back.status_code == 302 and back["Location"] == f"{PAGE}?location=northside"
    mailbox = Mailbox.objects.get(location=location)
    assert (mailbox.address, mailbox.state, mailbox.connected_by) == \
        ("office@northside.test", MailboxState.CONNECTED, owner)
    html = owner_client.get(back["Location"]).content.decode()
    assert "Connected office@northside.test" in html  # the flash
    assert "via Google" in html


@pytest.mark.parametrize("query", [
    {},  # nothing at all
    {"state": "made-up", "code": "abc"},
    {"state": "x" * 300, "code": "abc"},
])
def test_a_callback_without_a_valid_state_is_400_and_stores_nothing(fake, owner_client, query):
    response = owner_client.get(reverse("backoffice:settings_email_oauth_callback"), query)
    assert response.status_code == 400
    assert "Start connecting again" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_a_replayed_callback_is_400(fake, owner_client, location):
    start = owner_client.post(url("oauth", "northside", "google"))
    code, state = fake.approve(start["Location"])
    callback = reverse("backoffice:settings_email_oauth_callback")
    assert owner_client.get(callback, {"code": code, "state": state}).status_code == 302
    again = owner_client.get(callback, {"code": code, "state": state})
    assert again.status_code == 400 and "already used" in again.content.decode()


def test_a_callback_after_ten_minutes_is_400(fake, owner_client):
    start = owner_client.post(url("oauth", "northside", "microsoft"))
    code, state = fake.approve(start["Location"])
    OAuthState.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=10,
                                                                              seconds=1))
    response = owner_client.get(reverse("backoffice:settings_email_oauth_callback"),
                                {"code": code, "state": state})
    assert response.status_code == 400 and "ten minutes" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_a_callback_for_a_teammates_state_is_400(fake, owner_client, manager):
    start = signed_in(manager).post(url("oauth", "northside", "google"))
    code, state = fake.approve(start["Location"])
    response = owner_client.get(reverse("backoffice:settings_email_oauth_callback"),
                                {"code": code, "state": state})
    assert response.status_code == 400
    assert not Mailbox.objects.exists()


def test_declining_consent_is_a_clear_400(fake, owner_client):
    start = owner_client.post(url("oauth", "northside", "google"))
    _code, state = fake.approve(start["Location"])
    response = owner_client.get(reverse("backoffice:settings_email_oauth_callback"),
                                {"state": state, "error": "access_denied",
                                 "error_description": "The user denied access."})
    assert response.status_code == 400
    assert "The user denied access." in response.content.decode()
    assert not Mailbox.objects.exists()


def test_the_provider_down_at_the_callback_is_a_502_page(fake, owner_client):
    start = owner_client.post(url("oauth", "northside", "google"))
    code, state = fake.approve(start["Location"])
    fake.fail_next(status=503)
    response = owner_client.get(reverse("backoffice:settings_email_oauth_callback"),
                                {"code": code, "state": state})
    assert response.status_code == 502
    assert "could not be reached" in response.content.decode() or \
        "HTTP 503" in response.content.decode()
    assert not Mailbox.objects.exists()


# Other provider: IMAP + SMTP with a password


@pytest.mark.parametrize("changes, field, message", [
    ({"address": "not-an-address"}, "address", "email address"),
    ({"imap_host": ""}, "imap_host", "host name"),
    ({"imap_host": "bad host!"}, "imap_host", "is not a host name"),
    ({"smtp_host": "-x-.example.com"}, "smtp_host", "is not a host name"),
    ({"imap_port": "0"}, "imap_port", "1 to 65535"),
    ({"smtp_port": "65536"}, "smtp_port", "1 to 65535"),
    ({"smtp_port": "abc"}, "smtp_port", "1 to 65535"),
    ({"imap_security": "bogus"}, "imap_security", "valid choice"),
    ({"imap_host": "mail.example.com", "imap_security": "none"}, "imap_security",
     "only for a test server"),
    ({"password": ""}, "password", "Enter the mailbox"),
])
def test_bad_imap_settings_are_a_400_with_the_reason(owner_client, changes, field, message):
    response = owner_client.post(url("imap"), imap_data(**changes))
    html = response.content.decode()
    assert response.status_code == 400, html[:500]
    assert message in html
    assert f'id="id_{field}_errors"' in html
    assert not Mailbox.objects.exists()


def test_settings_are_validated_by_the_service_too(location, owner):
    with pytest.raises(connect.ValidationError) as caught:
        connect.imap_settings_clean({"address": "x", "imap_port": None, "smtp_port": "99999",
                                     "imap_security": "none", "smtp_security": "ssl",
                                     "imap_host": "8.8.8.8", "smtp_host": "[::1]"})
    errors = caught.value.message_dict
    assert set(errors) == {"address", "imap_port", "smtp_port", "imap_security"}
    ok = connect.imap_settings_clean({"address": "A@B.test", "imap_port": "143",
                                      "smtp_port": "25", "imap_security": "none",
                                      "smtp_security": "none", "imap_host": "LocalHost",
                                      "smtp_host": "::1"})
    assert (ok.address, ok.imap_host, ok.smtp_host, ok.username) == \
        ("a@b.test", "localhost", "::1", "a@b.test")


def test_check_connection_logs_in_to_both_and_stores_nothing(owner_client, servers):
    response = owner_client.post(url("imap"), imap_data(servers,
                                                         action="check"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Both servers accepted the login." in html
    assert "IMAP login accepted: OK Logged in" in html
    assert "SMTP login accepted: 235" in html
    assert not Mailbox.objects.exists()
    assert PASSWORD not in html  # never echoed back


def test_check_connection_reports_the_servers_refusals(owner_client, servers):
    response = owner_client.post(url("imap"), imap_data(servers,
                                                         password="wrong", action="check"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The connection check failed." in html
    assert "The IMAP server refused the login" in html and "AUTHENTICATIONFAILED" in html
    assert "The SMTP server refused the login: 535" in html


def test_check_connection_reports_an_unreachable_server(owner_client):
    response = owner_client.post(url("imap"), imap_data(imap_port=str(free_port()),
                                                        smtp_port=str(free_port()),
                                                        action="check"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Couldn&#x27;t reach 127.0.0.1:") == 2


def test_connect_with_a_working_login_stores_it_encrypted(owner_client, location, owner,
                                                          servers):
    response = owner_client.post(url("imap"), imap_data(servers))
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(location=location)
    assert (mailbox.provider, mailbox.address, mailbox.state, mailbox.state_reason) == \
        (Provider.IMAP, SHOP, MailboxState.CONNECTED, "")
    assert (mailbox.imap_port, mailbox.smtp_port) == (servers[0].port, servers[1].port)
    row = Mailbox.objects.filter(pk=mailbox.pk).values().get()
    assert PASSWORD not in str(row) and reveal(row["password_enc"]) == PASSWORD
    assert mailbox.connected_by == owner
    html = owner_client.get(response["Location"]).content.decode()
    assert f"Connected as <strong>{SHOP}</strong> via Other (IMAP and SMTP" in html


def test_connect_with_a_failing_login_stores_nothing(owner_client, servers):
    response = owner_client.post(url("imap"), imap_data(servers,
                                                         password="wrong"))
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_save_anyway_keeps_a_login_the_check_refused(owner_client, servers):
    response = owner_client.post(url("imap"), imap_data(servers,
                                                         password="wrong", save_anyway="on"))
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.state == MailboxState.CONNECTED
    assert mailbox.state_reason.startswith("Saved without a working login check")
    assert reveal(mailbox.password_enc) == "wrong"


def test_editing_without_retyping_the_password_keeps_it(owner_client, location, servers):
    owner_client.post(url("imap"), imap_data(servers))
    Mailbox.objects.update(last_uid=42, uidvalidity=9)
    response = owner_client.post(url("imap"), imap_data(servers, password="",
                                                         display_name="Northside Front"))
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert reveal(mailbox.password_enc) == PASSWORD
    assert (mailbox.display_name, mailbox.last_uid, mailbox.uidvalidity) == \
        ("Northside Front", 42, 9)
    form = owner_client.get(PAGE, {"location": "northside"}).content.decode()
    assert "Leave empty to keep the saved password." in form
    assert PASSWORD not in form


def test_oauth_mailbox_switched_to_imap_forgets_its_tokens(owner_client, location,
                                                           servers):
    a_mailbox(location, address=SHOP, last_uid=42)
    owner_client.post(url("imap"), imap_data(servers))
    mailbox = Mailbox.objects.get()
    assert (mailbox.provider, mailbox.refresh_token_enc, mailbox.access_token_enc) == \
        (Provider.IMAP, "", "")
    assert mailbox.last_uid == 0  # another server: its sync starts afresh


# Sync now, settings, disconnect


def test_sync_now_queues_one_sync_run(owner_client, location):
    mailbox = a_mailbox(location)
    first = owner_client.post(url("sync"))
    second = owner_client.post(url("sync"))
    assert first.status_code == second.status_code == 302
    run = SyncRun.objects.get(mailbox=mailbox)
    assert run.state == "queued" and run.enqueued_at is not None


def test_sync_now_needs_a_connected_mailbox(owner_client, location):
    assert owner_client.post(url("sync")).status_code == 400
    a_mailbox(location, state=MailboxState.RECONNECT)
    assert owner_client.post(url("sync")).status_code == 400
    assert not SyncRun.objects.exists()


def test_mailbox_settings_save_and_refuse_nonsense(owner_client, location):
    mailbox = a_mailbox(location)
    saved = owner_client.post(url("mailbox"), {"display_name": "Northside Claims",
                                               "sync_every_seconds": "300"})
    assert saved.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.display_name, mailbox.sync_every_seconds) == ("Northside Claims", 300)
    refused = owner_client.post(url("mailbox"), {"display_name": "x" * 200,
                                                 "sync_every_seconds": "7"})
    assert refused.status_code == 400
    mailbox.refresh_from_db()
    assert mailbox.sync_every_seconds == 300
    assert owner_client.post(url("mailbox", "northside"), {}).status_code == 400


def test_mailbox_settings_without_a_mailbox_is_400(owner_client):
    assert owner_client.post(url("mailbox"), {"display_name": "x",
                                              "sync_every_seconds": "60"}).status_code == 400


def test_disconnect_wipes_the_credentials_and_keeps_the_mail(owner_client, location):
    mailbox = a_mailbox(location, last_uid=42, uidvalidity=3)
    MailMessage.objects.create(location=location, mailbox=mailbox,
                               direction=MailDirection.INBOUND, status=MailStatus.UNMATCHED,
                               source=Source.SYNC, message_id="<kept@example.test>")
    queued = SyncRun.objects.create(mailbox=mailbox)

    response = owner_client.post(url("disconnect"))

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.state == MailboxState.DISCONNECTED
    assert (mailbox.password_enc, mailbox.refresh_token_enc, mailbox.access_token_enc) == \
        ("", "", "")
    assert (mailbox.last_uid, mailbox.uidvalidity) == (42, 3)
    assert MailMessage.objects.filter(mailbox=mailbox).count() == 1
    queued.refresh_from_db()
    assert queued.state == "failed"
    html = owner_client.get(response["Location"]).content.decode()
    assert "was disconnected" in html and "Connect a mailbox" in html
    # A second click is harmless.
    assert owner_client.post(url("disconnect")).status_code == 302


def test_read_pages_refuse_posts_and_actions_refuse_gets(owner_client, location):
    a_mailbox(location)
    assert owner_client.post(PAGE).status_code == 405
    assert owner_client.post(reverse("backoffice:settings_email_oauth_callback")).status_code \
        == 405
    for target in (url("sync"), url("disconnect"), url("imap"), url("mailbox"),
                   url("oauth", "northside", "google")):
        assert owner_client.get(target).status_code == 405
    assert Mailbox.objects.get().state == MailboxState.CONNECTED


def test_check_connection_explains_a_certificate_it_cannot_trust(owner_client, dovecot,
                                                                 smtp_tls_servers):
    _ca, tls = smtp_tls_servers  # certified by the tests' own CA, which we don't trust
    response = owner_client.post(url("imap"), imap_data(
        (dovecot, tls["starttls"]), smtp_security="starttls", action="check"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "SMTP: 127.0.0.1:" in html and "has a certificate we can&#x27;t trust" in html
    assert "IMAP login accepted" in html
    assert not Mailbox.objects.exists()
