import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from claimory.core import rate_window

STAFF_PAGES = ["backoffice:claims", "backoffice:claim_new", "backoffice:board",
               "backoffice:settings_stages", "backoffice:settings_location"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login"))


def test_sign_in_page_renders_with_labels(client, db):
    response = client.get(reverse("backoffice:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">Email' in html
    assert '<label for="id_password">Password' in html
    assert reverse("backoffice:password_reset") in html


def test_staff_signs_in_with_email_in_any_case(client, front_desk):
    response = client.post(reverse("backoffice:login"),
                           {"username": "DESK@Northside.test", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:claims")
    assert client.get(reverse("backoffice:claims")).status_code == 200


def test_login_with_trailing_slash_redirects(client, db):
    response = client.get("/staff/login/?next=/staff/board")
    assert response["Location"] == reverse("backoffice:login") + "?next=/staff/board"


def test_wrong_password_shows_an_error_not_a_crash(client, front_desk):
    response = client.post(reverse("backoffice:login"),
                           {"username": "desk@northside.test", "password": "nope"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "correct email and password" in page
    alert = re.search(r'<div class="alert alert--error" role="alert">(.*?)</div>', page, re.S)
    assert "username" not in alert.group(1).lower()  # the field asks for an email
    assert "_auth_user_id" not in client.session


def test_sign_in_returns_to_the_page_asked_for(client, front_desk):
    board = reverse("backoffice:board")
    response = client.post(f"{reverse('backoffice:login')}?next={board}",
                           {"username": "desk@northside.test", "password": "correct-horse-battery",
                            "next": board})
    assert response["Location"] == board


def test_sign_out_is_a_post_and_ends_the_session(desk_client):
    page = desk_client.get(reverse("backoffice:claims")).content.decode()
    assert f'action="{reverse("backoffice:logout")}"' in page
    response = desk_client.post(reverse("backoffice:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:login")
    assert desk_client.get(reverse("backoffice:claims")).status_code == 302


def test_user_without_membership_gets_a_clear_page(client, db):
    user = get_user_model().objects.create_user("drifter@example.test", "drifter@example.test",
                                                "correct-horse-battery")
    client.force_login(user)
    response = client.get(reverse("backoffice:claims"))
    assert response.status_code == 403
    assert "isn't part of a shop" in response.content.decode()


def test_password_reset_emails_a_working_link(client, front_desk, settings):
    settings.BASE_URL = ""
    response = client.post(reverse("backoffice:password_reset"),
                           {"email": "desk@northside.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["desk@northside.test"]
    link = re.search(r"https?://[^/\s]+(/staff/password-reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    new = "a-fresh-long-secret"
    done = client.post(form_page.redirect_chain[-1][0],
                       {"new_password1": new, "new_password2": new})
    assert done["Location"] == reverse("backoffice:password_reset_complete")
    assert client.login(username="desk@northside.test", password="a-fresh-long-secret")


def test_password_reset_for_unknown_email_reveals_nothing(client, db):
    response = client.post(reverse("backoffice:password_reset"), {"email": "who@nowhere.test"})
    assert response["Location"] == reverse("backoffice:password_reset_done")
    assert mail.outbox == []


def test_used_reset_link_says_it_no_longer_works(client, db):
    response = client.get(reverse("backoffice:password_reset_confirm",
                                  kwargs={"uidb64": "MQ", "token": "bad-token"}))
    assert response.status_code == 200
    assert "no longer works" in response.content.decode()


# --- Throttling, enumeration, reset limits, public origin, admin (issue 6, part 5) ---

LOGIN = "/staff/login"
RESET = "/staff/password-reset"
WINDOW_START = 1_800_000_000  # a multiple of 900 and 3,600: windows start here


@pytest.fixture
def frozen_clock(monkeypatch):
    """100 s into a 15-minute (and one-hour) window, so nothing straddles its end."""
    monkeypatch.setattr(rate_window.time, "time", lambda: WINDOW_START + 100.0)


def _sign_in(client, email, password, ip="198.51.100.7"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_sign_in_error_names_the_email_not_a_username(client, front_desk):
    html = _sign_in(client, "desk@northside.test", "wrong").content.decode()
    assert "Enter a correct email and password" in html
    assert "username" not in html.split("<form")[0].lower()


def test_five_failures_lock_the_account_with_a_clear_429(client, front_desk, frozen_clock):
    for _ in range(5):
        assert _sign_in(client, "desk@northside.test", "wrong").status_code == 200
    response = _sign_in(client, "desk@northside.test", "wrong")
    assert response.status_code == 429
    assert response["Retry-After"] == "800"
    assert "Too many sign-in attempts. Try again in 14 minutes." in response.content.decode()


def test_lockout_refuses_even_the_right_password(client, front_desk, frozen_clock):
    for _ in range(5):
        _sign_in(client, "desk@northside.test", "wrong")
    response = _sign_in(client, "desk@northside.test", "correct-horse-battery")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_account_lock_holds_from_another_client_and_in_any_letter_case(client, front_desk,
                                                                        frozen_clock):
    for n in range(5):
        _sign_in(client, "desk@northside.test", "wrong", ip=f"203.0.113.{n}")
    assert _sign_in(client, "DESK@northside.test", "wrong", ip="192.0.2.99").status_code == 429


def test_lockout_ends_with_the_window(client, front_desk, monkeypatch):
    now = [WINDOW_START + 100.0]
    monkeypatch.setattr(rate_window.time, "time", lambda: now[0])
    for _ in range(5):
        _sign_in(client, "desk@northside.test", "wrong")
    assert _sign_in(client, "desk@northside.test", "correct-horse-battery").status_code == 429
    now[0] += 900
    assert _sign_in(client, "desk@northside.test", "correct-horse-battery").status_code == 302


def test_success_forgives_the_accounts_earlier_mistakes(client, front_desk, frozen_clock):
    for _ in range(4):
        _sign_in(client, "desk@northside.test", "wrong")
    assert _sign_in(client, "desk@northside.test", "correct-horse-battery").status_code == 302
    client.post(reverse("backoffice:logout"))
    for _ in range(4):
        assert _sign_in(client, "desk@northside.test", "wrong").status_code == 200


def test_one_client_trying_many_accounts_is_stopped_after_twenty(client, front_desk,
                                                                 frozen_clock):
    for n in range(20):
        assert _sign_in(client, f"guess{n}@northside.test", "wrong").status_code == 200
    assert _sign_in(client, "desk@northside.test", "correct-horse-battery").status_code == 429
    # Another client is not affected.
    assert _sign_in(client, "desk@northside.test", "correct-horse-battery",
                    ip="192.0.2.50").status_code == 302


def test_unknown_email_and_wrong_password_look_the_same(client, front_desk, frozen_clock):
    def attempts(email):
        return [_sign_in(client, email, "wrong", ip=f"192.0.2.{len(email)}")
                for _ in range(6)]

    known, unknown = attempts("desk@northside.test"), attempts("nobody@northside.test")
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [200] * 5 + [429]
    for a, b in zip(known, unknown, strict=True):
        assert _errors(a) == _errors(b)


def _errors(response) -> str:
    html = response.content.decode()
    return html[html.index('role="alert"'):html.index("</div>", html.index('role="alert"'))]


def test_unknown_email_costs_a_password_hash_like_a_known_one(client, front_desk, monkeypatch):
    # The same work for both, so the answer's timing does not tell them apart.
    calls = []
    original = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode",
                        lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    _sign_in(client, "desk@northside.test", "wrong")
    known = len(calls)
    _sign_in(client, "nobody@northside.test", "wrong")
    assert known >= 1 and len(calls) - known == known


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(client, front_desk,
                                                                     settings, frozen_clock):
    settings.SIGNIN_LIMIT_PER_CLIENT = 2
    for n in range(2):
        client.post(LOGIN, {"username": f"x{n}@a.test", "password": "wrong"},
                    REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
    # Spoofing a new X-Forwarded-For from the same peer does not start a fresh count.
    assert client.post(LOGIN, {"username": "y@a.test", "password": "wrong"},
                       REMOTE_ADDR="127.0.0.1",
                       HTTP_X_FORWARDED_FOR="10.9.9.77").status_code == 429
    # Behind a named proxy, each forwarded client has its own count.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.post(LOGIN, {"username": "y@a.test", "password": "wrong"},
                       REMOTE_ADDR="127.0.0.1",
                       HTTP_X_FORWARDED_FOR="10.9.9.77").status_code == 200


def _reset(client, email, ip="198.51.100.7", **extra):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip, **extra)


def test_thirty_reset_requests_send_three_emails(client, front_desk, frozen_clock):
    answers = [_reset(client, "desk@northside.test").status_code for _ in range(30)]
    assert len(mail.outbox) == 3
    assert answers[:3] == [302] * 3 and set(answers[3:]) == {429}
    response = _reset(client, "desk@northside.test")
    assert response["Retry-After"] == "3500"
    assert "Too many password reset requests. Try again in 59 minutes." in \
        response.content.decode()


def test_reset_limit_per_client_across_emails(client, front_desk, frozen_clock):
    for n in range(10):
        assert _reset(client, f"who{n}@nowhere.test").status_code == 302
    assert _reset(client, "desk@northside.test").status_code == 429
    assert mail.outbox == []
    assert _reset(client, "desk@northside.test", ip="192.0.2.1").status_code == 302
    assert len(mail.outbox) == 1


def test_reset_limit_does_not_tell_unknown_emails_apart(client, front_desk, frozen_clock):
    known = [_reset(client, "desk@northside.test", ip="192.0.2.1").status_code
             for _ in range(4)]
    unknown = [_reset(client, "who@nowhere.test", ip="192.0.2.2").status_code
               for _ in range(4)]
    assert known == unknown == [302, 302, 302, 429]


def test_reset_link_uses_base_url_whatever_the_host_header(client, front_desk, settings):
    settings.BASE_URL = "https://portal.northside.test"
    settings.ALLOWED_HOSTS = ["*"]
    response = _reset(client, "desk@northside.test", HTTP_HOST="evil.example")
    assert response.status_code == 302
    body = mail.outbox[0].body
    assert "https://portal.northside.test/staff/password-reset/" in body
    assert "evil.example" not in body


def test_admin_is_for_superusers_and_branded(client, owner, desk_client):
    # Anonymous: sent to the staff sign-in (throttled), not to a second sign-in form.
    admin_login = client.get("/admin/")["Location"]
    response = client.get(admin_login)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('backoffice:login')}?next=%2Fadmin%2F"
    assert client.get(response["Location"]).status_code == 200
    # Shop staff (even owners flagged is_staff) are refused.
    owner.is_staff = True
    owner.save()
    owner_client = Client()
    owner_client.force_login(owner)
    assert owner_client.get("/admin/", follow=True).status_code == 403
    assert desk_client.get("/admin/login/").status_code == 403
    root = get_user_model().objects.create_superuser("root@claimory.test", "root@claimory.test",
                                                     "a-long-root-secret")
    root_client = Client()
    root_client.force_login(root)
    page = root_client.get("/admin/")
    assert page.status_code == 200
    assert "Claimory admin" in page.content.decode()


def test_admin_sign_in_goes_through_the_staff_sign_in(client, db):
    get_user_model().objects.create_superuser("root@claimory.test", "root@claimory.test",
                                              "a-long-root-secret")
    response = client.post(f"{LOGIN}?next=/admin/",
                           {"username": "root@claimory.test", "password": "a-long-root-secret",
                            "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
