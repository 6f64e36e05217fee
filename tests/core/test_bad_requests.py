"""Client mistakes answer a clear 4xx and log one WARNING line, never an ERROR traceback."""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings as django_settings
from django.test import Client

from claimory.messaging.models import Message

TOO_BIG = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1000


def _no_error_logged(caplog):
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info or r.exc_text]
    assert not bad, [(r.name, r.levelname, r.getMessage()) for r in bad]


@pytest.fixture
def portal_messages(claim):
    from claimory.claims.services import portal_token

    return f"/c/{portal_token(claim)}/messages"


def test_portal_json_message_over_the_limit_is_a_json_413(client, portal_messages, caplog):
    caplog.set_level(logging.DEBUG)
    body = json.dumps({"body": "x" * TOO_BIG})
    response = client.post(portal_messages, body, content_type="application/json")
    assert response.status_code == 413
    assert "limit" in response.json()["error"]
    assert not Message.objects.exists()
    _no_error_logged(caplog)


def test_portal_form_message_over_the_limit_is_a_plain_413(client, portal_messages, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post(portal_messages, f"body={'x' * TOO_BIG}",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert b"Too large to send" in response.content
    assert response["Cache-Control"] == "private, no-store"  # portal headers still apply
    assert not Message.objects.exists()
    _no_error_logged(caplog)


def test_portal_message_under_the_limit_still_reaches_the_form(client, portal_messages):
    response = client.post(portal_messages, json.dumps({"body": "x" * 100_000}),
                           content_type="application/json")
    assert response.status_code == 400  # the form's own length check, not the size guard


def test_staff_form_post_over_the_limit_is_413(db, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/staff/login", f"username=a&password={'x' * TOO_BIG}",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    _no_error_logged(caplog)


def test_multipart_text_field_over_the_limit_is_413_with_one_warning(db, client, caplog):
    # Content-Length cannot tell file bytes from field bytes: Django finds this one while
    # parsing, and the 400 handler turns it into the 413.
    caplog.set_level(logging.DEBUG)
    response = client.post("/staff/login", {"username": "a", "password": "x" * TOO_BIG})
    assert response.status_code == 413
    assert b"Too large to send" in response.content
    _no_error_logged(caplog)
    warnings = [r for r in caplog.records if r.name == "django.security.RequestDataTooBig"]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"


def test_other_bad_requests_keep_djangos_400(client):
    response = client.get("/staff/login?x=\x00")
    assert response.status_code == 400


def test_spoofed_host_is_400_and_one_warning_line(db, client, settings, caplog):
    settings.ALLOWED_HOSTS = ["shop.example"]
    caplog.set_level(logging.DEBUG)
    response = client.get("/staff/login", HTTP_HOST="evil.example")
    assert response.status_code == 400
    _no_error_logged(caplog)
    records = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert len(records) == 1
    assert records[0].levelname == "WARNING" and "evil.example" in records[0].getMessage()
    # Through the real console formatter: exactly one line.
    console = logging.Formatter(django_settings.LOGGING["formatters"]["plain"]["format"])
    assert "\n" not in console.format(records[0])


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_api_root_without_slash_is_the_same_json(client, method):
    bare = client.generic(method, "/api/v1")
    slashed = client.generic(method, "/api/v1/")
    assert bare.status_code == slashed.status_code == 200
    assert bare["Content-Type"].startswith("application/json")
    assert bare.content == slashed.content
    if method == "GET":
        assert bare.json()["openapi"] == "/api/v1/openapi.json"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_api_root_without_slash_answers_json_for_every_method(method):
    client = Client(enforce_csrf_checks=True)
    bare = client.generic(method, "/api/v1", '{"a": 1}', content_type="application/json")
    slashed = client.generic(method, "/api/v1/", '{"a": 1}', content_type="application/json")
    assert bare.status_code == slashed.status_code == 405  # not a 301 that drops the body
    assert bare["Content-Type"].startswith("application/json")
    assert bare.json() == slashed.json()
    assert bare.json()["error"]["code"] == "method_not_allowed"
    assert bare["Allow"] == "GET, HEAD"
