"""POST /c/<token>/messages: the customer writes to the shop, with and without JavaScript."""

import json

import pytest

from claimory.claims.models import ClaimEvent, EventType
from claimory.claims.services import portal_token, portal_token_revoke
from claimory.messaging.models import Conversation, Message
from claimory.portal import message_limit
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}


def post_json(client, path, payload, **headers):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(f"{path}/messages", body, **JSON, **headers)


def test_form_post_lands_on_the_claim_and_redirects_back_to_the_thread(client, claim,
                                                                      portal_path):
    response = client.post(f"{portal_path}/messages", {"body": "  When can I pick it up?\r\n"})
    assert response.status_code == 303
    assert response["Location"] == f"{portal_path}?sent=1#messages"
    message = Message.objects.get(claim=claim)
    assert message.body == "When can I pick it up?" and message.direction == "in"
    event = ClaimEvent.objects.get(claim=claim, type=EventType.MESSAGE)
    assert event.channel == "portal" and event.customer_visible
    assert Conversation.objects.get(claim=claim).is_waiting


def test_after_the_redirect_the_page_confirms_and_shows_the_message(client, portal_path):
    client.post(f"{portal_path}/messages", {"body": "Is the bumper in?"})
    html = client.get(f"{portal_path}?sent=1").content.decode()
    assert 'class="sent-note" role="status"' in html and "Message sent." in html
    assert "Is the bumper in?" in html


def test_confirmation_needs_a_fresh_message(client, portal_path):
    html = client.get(f"{portal_path}?sent=1").content.decode()
    assert "sent-note" not in html


def test_json_post_answers_201_with_the_rendered_thread(client, claim, portal_path):
    response = post_json(client, portal_path, {"body": "Hello from the app"})
    assert response.status_code == 201
    answer = response.json()
    message = Message.objects.get(claim=claim)
    assert answer["id"] == message.pk and answer["status"] == "sent"
    assert answer["thread"].startswith('<div id="thread"')
    assert f'data-id="{message.pk}"' in answer["thread"]
    assert "Hello from the app" in answer["thread"]


def test_form_field_in_a_fetch_also_works(client, claim, portal_path):
    response = client.post(f"{portal_path}/messages", {"body": "Form body, JSON answer"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 201 and response.json()["id"]


@pytest.mark.parametrize("body", ["", "   \n  ", None])
def test_empty_message_is_a_400_with_the_error_next_to_the_box(client, claim, portal_path, body):
    data = {} if body is None else {"body": body}
    response = client.post(f"{portal_path}/messages", data)
    assert response.status_code == 400
    html = response.content.decode()
    error = '<p id="message-error" class="field-error" role="alert">Write a message first.</p>'
    assert error in html
    assert 'aria-invalid="true"' in html and "autofocus" in html
    assert not Message.objects.filter(claim=claim).exists()


def test_too_long_message_keeps_the_text_and_says_the_limit(client, claim, portal_path):
    text = "Long story. " * 200  # 2,400 characters
    response = client.post(f"{portal_path}/messages", {"body": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Keep messages under 2,000 characters (this one has 2,399)." in html
    assert f">{text}</textarea>" in html
    assert not Message.objects.filter(claim=claim).exists()


def test_exactly_the_limit_is_accepted_and_crlf_counts_once(client, claim, portal_path):
    text = ("x" * 99 + "\r\n") * 20  # 2,000 characters once line breaks are single
    assert client.post(f"{portal_path}/messages", {"body": text.strip() + "y"}).status_code == 303
    assert len(Message.objects.get(claim=claim).body) == 2000


def test_json_validation_errors_are_json(client, portal_path):
    too_long = post_json(client, portal_path, {"body": "x" * 2001})
    assert too_long.status_code == 400 and "2,000" in too_long.json()["error"]
    empty = post_json(client, portal_path, {"body": ""})
    assert empty.json() == {"error": "Write a message first.", "retry_after": None}
    assert post_json(client, portal_path, {"body": 42}).status_code == 400
    assert post_json(client, portal_path, {"body": ["a"]}).status_code == 400


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"just a string"', "\xff"])
def test_malformed_json_is_a_clear_400(client, claim, portal_path, raw):
    response = post_json(client, portal_path, raw)
    assert response.status_code == 400 and "body" in response.json()["error"]
    assert not Message.objects.filter(claim=claim).exists()


def test_spanish_customer_gets_spanish_errors(client, portal_path):
    response = client.post(f"{portal_path}/messages?lang=es", {"body": ""})
    assert response.status_code == 400
    assert "Primero escriba un mensaje." in response.content.decode()


def test_language_choice_survives_the_post(client, portal_path):
    page = client.get(portal_path, {"lang": "es"}).content.decode()
    assert f'action="{portal_path}/messages?lang=es"' in page
    response = client.post(f"{portal_path}/messages?lang=es", {"body": "Hola"})
    assert response["Location"] == f"{portal_path}?lang=es&sent=1#messages"


def test_other_site_origin_is_refused_before_anything_is_written(client, claim, portal_path):
    response = client.post(f"{portal_path}/messages", {"body": "hi"},
                           HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not Message.objects.filter(claim=claim).exists()


@pytest.mark.parametrize("headers", [
    {"HTTP_ORIGIN": "http://testserver.evil"},
    {"HTTP_ORIGIN": "https://testserver"},  # same host, other scheme: another origin
    {"HTTP_ORIGIN": "http://testserver:8080"},
    {"HTTP_ORIGIN": "not a url"},
    {"HTTP_SEC_FETCH_SITE": "cross-site"},
    {"HTTP_SEC_FETCH_SITE": "same-site"},
])
def test_every_foreign_origin_is_refused(client, portal_path, headers):
    assert post_json(client, portal_path, {"body": "hi"}, **headers).status_code == 403


@pytest.mark.parametrize("headers", [
    {},
    {"HTTP_ORIGIN": "http://testserver"},
    {"HTTP_ORIGIN": "HTTP://TESTSERVER:80"},
    # Our own form posts: the portal's no-referrer policy makes browsers send Origin: null.
    {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"},
])
def test_own_origin_absent_origin_and_null_are_accepted(client, portal_path, headers):
    assert post_json(client, portal_path, {"body": "hi"}, **headers).status_code == 201


def test_configured_base_url_is_our_origin(client, portal_path, settings):
    settings.BASE_URL = "https://portal.northside.test"
    response = post_json(client, portal_path, {"body": "hi"},
                         HTTP_ORIGIN="https://portal.northside.test")
    assert response.status_code == 201


def test_unknown_token_gets_the_uniform_404_and_counts_toward_the_limit(client, settings):
    page = client.get("/c/AAAAAAAAAAAAAAAAAAAAAA").content
    settings.PORTAL_404_LIMIT_PER_MINUTE = 2
    response = client.post("/c/AAAAAAAAAAAAAAAAAAAAAA/messages", {"body": "hi"})
    assert response.status_code == 404 and response.content == page
    assert client.post("/c/BBBBBBBBBBBBBBBBBBBBBB/messages", {"body": "hi"}).status_code == 429


def test_revoked_link_cannot_write(client, claim, front_desk, portal_path):
    portal_token_revoke(claim=claim, actor=front_desk)
    assert post_json(client, portal_path, {"body": "hi"}).status_code == 404
    assert not Message.objects.filter(claim=claim).exists()


def test_rate_limit_is_a_friendly_429_that_keeps_the_text(client, claim, portal_path):
    for n in range(message_limit.LIMIT):
        assert post_json(client, portal_path, {"body": f"message {n}"}).status_code == 201
    blocked = post_json(client, portal_path, {"body": "one more"})
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert "wait a few minutes" in blocked.json()["error"]
    form = client.post(f"{portal_path}/messages", {"body": "and another"})
    assert form.status_code == 429 and ">and another</textarea>" in form.content.decode()
    assert Message.objects.filter(claim=claim).count() == message_limit.LIMIT


def test_rejected_messages_do_not_use_up_the_limit(client, portal_path):
    for _n in range(message_limit.LIMIT + 2):
        post_json(client, portal_path, {"body": ""})
    assert post_json(client, portal_path, {"body": "real question"}).status_code == 201


def test_rate_limit_is_per_claim(client, claim, location, front_desk, portal_path):
    for n in range(message_limit.LIMIT):
        post_json(client, portal_path, {"body": f"message {n}"})
    other = make_claim(location, actor=front_desk, name="Lee Chen")
    assert post_json(client, f"/c/{portal_token(other)}", {"body": "hi"}).status_code == 201


def test_get_on_the_form_address_goes_back_to_the_page(client, portal_path):
    response = client.get(f"{portal_path}/messages")
    assert response.status_code == 302 and response["Location"] == f"{portal_path}#messages"
    assert client.put(f"{portal_path}/messages").status_code == 405


def test_script_in_a_message_is_text_on_the_page(client, portal_path):
    client.post(f"{portal_path}/messages",
                {"body": '<script>alert("x")</script> <img src=x onerror=alert(1)>'})
    thread = client.get(f"{portal_path}/fragments/thread").content.decode()
    assert ("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
            "&lt;img src=x onerror=alert(1)&gt;") in thread
    assert "<script" not in thread and "<img" not in thread


def test_responses_carry_the_portal_headers(client, portal_path):
    response = post_json(client, portal_path, {"body": "hi"})
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_control_characters_only_is_a_400_not_a_500(client, claim, portal_path):
    response = post_json(client, portal_path, {"body": "\x01\x02\x7f"})
    assert response.status_code == 400 and response.json()["error"]
    assert post_json(client, portal_path, {"body": "nul\x00byte"}).status_code == 400
    assert not Message.objects.filter(claim=claim).exists()


@pytest.mark.parametrize("body", ["\u200b\u200b", "\ufeff\u2060", "\u3164 \u115f"])
def test_invisible_only_message_is_refused_like_an_empty_one(client, claim, portal_path, body):
    response = post_json(client, portal_path, {"body": body})
    assert response.status_code == 400
    assert "Write a message first." in json.dumps(response.json())
    form = client.post(f"{portal_path}/messages", {"body": body})
    assert form.status_code == 400 and "Write a message first." in form.content.decode()
    assert not Message.objects.filter(claim=claim).exists()
