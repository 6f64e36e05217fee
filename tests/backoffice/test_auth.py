import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

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
    assert "correct" in response.content.decode().lower()
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
