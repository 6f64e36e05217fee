"""Bad input on the portal and the rest of the site is a clear 4xx, never a 500.

Run on PostgreSQL too (DATABASE_URL): it refuses NUL in text, which is where the 500s were.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from claimory.messaging.models import Message

pytestmark = pytest.mark.django_db

JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}


def _client() -> Client:
    return Client(raise_request_exception=False)


def test_lone_surrogate_in_a_json_message_is_a_clear_400(claim, portal_path):
    response = _client().post(f"{portal_path}/messages", '{"body": "\\ud800x"}', **JSON)
    assert response.status_code == 400
    assert "not text" in response.json()["error"]
    assert not Message.objects.exists()


def test_a_surrogate_pair_is_an_ordinary_emoji(claim, portal_path):
    response = _client().post(f"{portal_path}/messages", '{"body": "ok \\ud83d\\ude97"}', **JSON)
    assert response.status_code == 201
    assert Message.objects.get().body == "ok \U0001f697"


def test_broken_utf8_in_a_form_message_is_kept_as_replacement_text(claim, portal_path):
    response = _client().post(f"{portal_path}/messages", "body=%ED%A0%80x",
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303
    assert Message.objects.get().body.endswith("x")


def test_nul_in_a_json_message_is_a_400(claim, portal_path):
    response = _client().post(f"{portal_path}/messages", json.dumps({"body": "a\x00b"}), **JSON)
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_nul_in_a_form_message_is_a_400(claim, portal_path):
    response = _client().post(f"{portal_path}/messages", "body=a%00b",
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not Message.objects.exists()


@pytest.mark.parametrize("path", ["/p/%00", "/p/north%00side", "/c/%00", "/c/%00/thread",
                                  "/staff/%00"])
def test_nul_in_a_path_is_a_404(path, location):
    assert _client().get(path).status_code == 404


@pytest.mark.parametrize("path", ["/staff/settings/stages?location=%00", "/staff/?q=%00",
                                  "/staff/?stage=%00", "/?next=%00", "/p/northside?x=%00"])
def test_nul_in_a_query_value_is_a_400(path, owner):
    client = _client()
    client.force_login(owner)
    assert client.get(path).status_code == 400


def test_nul_in_a_staff_form_value_is_a_400(owner, location):
    client = _client()
    client.force_login(owner)
    response = client.post("/staff/settings/stages", {"location": "\x00"})
    assert response.status_code == 400
