"""The portal page's ASGI fast path: replays cached pages exactly, hands everything else to
Django, and renders a page that just changed once however many readers ask at once."""

import asyncio
import gzip
import threading

import brotli
import pytest
from django.test import override_settings

from claimory.core import compression, ratelimit
from claimory.portal import fast_page
from claimory.portal.page_cache import Lookup, pages

KEY = ("claim", 1)
HEADERS = ((b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"4"),
           (b"content-security-policy", b"default-src 'self'"))
# As replayed to a client that takes no compression: Django's headers, the length last.
PLAIN = ((b"content-type", b"text/html; charset=utf-8"),
         (b"content-security-policy", b"default-src 'self'"), (b"vary", b"Accept-Encoding"),
         (b"content-length", b"4"))


def run(coro):
    """Run ``coro`` in a fresh event loop on its own thread (a browser test may own this one)."""
    result = {}
    thread = threading.Thread(target=lambda: result.update(value=asyncio.run(coro)))
    thread.start()
    thread.join(10)
    return result.get("value")


class FakeDjango:
    """Stands in for Django: caches the page under KEY (as the view does) and answers it."""

    def __init__(self, body=b"page", headers=HEADERS, status=200, delay=0.0, caches=True):
        self.calls, self.body, self.headers, self.status = 0, body, headers, status
        self.delay, self.caches = delay, caches

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.status == 200 and self.caches:
            pages.put(KEY, self.body)
        await send({"type": "http.response.start", "status": self.status,
                    "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": self.body})


def scope(method="GET", accept_encoding=None):
    headers = [] if accept_encoding is None else [(b"accept-encoding", accept_encoding)]
    return {"type": "http", "method": method, "path": "/c/token", "query_string": b"",
            "client": ("127.0.0.1", 5000), "headers": headers}


async def request(django, method="GET", accept_encoding=None):
    sent = []

    async def send(message):
        if "headers" in message:
            message = {**message, "headers": tuple(map(tuple, message["headers"]))}
        sent.append(message)

    async def receive():
        return {"type": "http.disconnect"}

    await fast_page.portal_page(scope(method, accept_encoding), receive, send, "token", django)
    return sent


def found_page(monkeypatch):
    monkeypatch.setattr(fast_page, "find", lambda *a: Lookup(key=KEY, language="en",
                                                             entry=pages.get(KEY)))


def test_first_view_goes_to_django_and_later_views_replay_its_answer(monkeypatch):
    found_page(monkeypatch)
    django = FakeDjango()
    first = run(request(django))
    second = run(request(django))
    assert django.calls == 1
    assert second == first
    assert second[0]["headers"] == PLAIN and second[1]["body"] == b"page"


def test_head_replays_headers_without_the_body(monkeypatch):
    found_page(monkeypatch)
    django = FakeDjango()
    run(request(django))
    sent = run(request(django, "HEAD"))
    assert django.calls == 1 and sent[0]["headers"] == PLAIN and sent[1]["body"] == b""


def test_a_response_that_sets_a_cookie_is_never_replayed(monkeypatch):
    found_page(monkeypatch)
    django = FakeDjango(headers=(*HEADERS, (b"set-cookie", b"sessionid=abc")))
    run(request(django))
    run(request(django))
    assert django.calls == 2


def test_errors_and_other_bodies_are_not_learned(monkeypatch):
    found_page(monkeypatch)
    django = FakeDjango(status=404)
    run(request(django))
    run(request(django))
    assert django.calls == 2
    pages.put(KEY, b"another page")
    run(request(FakeDjango(body=b"page", caches=False)))  # not the cached page
    assert pages.get(KEY).headers is None


PAGE = b"<!doctype html><title>Your car</title>" + b"<p>Repair update</p>" * 200


def _decoded(sent) -> tuple[str | None, bytes]:
    headers = dict(sent[0]["headers"])
    body = sent[1]["body"]
    assert int(headers[b"content-length"]) == len(body)
    assert b"Accept-Encoding" in headers[b"vary"]
    coding = headers.get(b"content-encoding", b"").decode() or None
    if coding == "br":
        return coding, brotli.decompress(body)
    if coding == "gzip":
        return coding, gzip.decompress(body)
    return coding, body


@pytest.mark.parametrize(("accept", "coding"), [
    (b"gzip, deflate, br, zstd", "br"), (b"gzip", "gzip"), (b"br;q=0, gzip;q=0.5", "gzip"),
    (b"identity", None), (None, None), (b"*;q=0", None), (b"*", "br")])
def test_the_page_goes_out_compressed_as_the_client_accepts(monkeypatch, accept, coding):
    found_page(monkeypatch)
    django = FakeDjango(body=PAGE, headers=(*HEADERS[:1], (b"vary", b"Accept-Language")))
    first = run(request(django, accept_encoding=accept))  # rendered by Django
    again = run(request(django, accept_encoding=accept))  # replayed from the cache
    assert django.calls == 1 and first == again
    assert _decoded(again) == (coding, PAGE)
    assert dict(again[0]["headers"])[b"vary"] == b"Accept-Language, Accept-Encoding"
    if coding is not None:
        assert len(again[1]["body"]) < len(PAGE) / 5


def test_compression_happens_once_per_render_not_per_request(monkeypatch):
    found_page(monkeypatch)
    calls = []
    real = compression.compress
    monkeypatch.setattr(compression, "compress",
                        lambda body, coding: calls.append(coding) or real(body, coding))
    django = FakeDjango(body=PAGE)
    for _ in range(5):
        run(request(django, accept_encoding=b"br, gzip"))
    assert sorted(calls) == sorted(compression.ENCODINGS)


def test_the_message_sent_render_goes_straight_to_django(monkeypatch):
    monkeypatch.setattr(fast_page, "find", lambda *a: pytest.fail("never cached: no lookup"))
    django = FakeDjango(caches=False)

    async def sent_note():
        sent = []

        async def send(message):
            sent.append(message)

        async def receive():
            return {"type": "http.disconnect"}

        page_scope = {**scope(), "query_string": b"sent=1"}
        await fast_page.portal_page(page_scope, receive, send, "token", django)
        return sent

    assert run(sent_note())[1]["body"] == b"page" and django.calls == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_writes_go_to_django(monkeypatch, method):
    monkeypatch.setattr(fast_page, "find", lambda *a: pytest.fail("no lookup for writes"))
    django = FakeDjango()
    run(request(django, method))
    assert django.calls == 1


def test_no_lookup_means_django_answers(monkeypatch):
    monkeypatch.setattr(fast_page, "find", lambda *a: None)
    django = FakeDjango(status=404, body=b"not found")
    assert run(request(django))[1]["body"] == b"not found" and django.calls == 1


def test_a_failing_lookup_falls_back_to_django(monkeypatch):
    def broken(*a):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(fast_page, "find", broken)
    django = FakeDjango()
    assert run(request(django))[1]["body"] == b"page" and django.calls == 1


def test_readers_of_a_page_that_just_changed_share_one_render(monkeypatch):
    found_page(monkeypatch)
    django = FakeDjango(delay=0.2)

    async def many():
        return await asyncio.gather(*(request(django) for _ in range(10)))

    answers = run(many())
    assert django.calls == 1
    assert all(sent[1]["body"] == b"page" for sent in answers)
    assert all(sent[0]["headers"] == PLAIN for sent in answers)


# find(): the lookup that runs in the pool (here on the test's own thread and connection).


@pytest.mark.django_db
def test_find_refuses_what_django_must_answer(client, claim, portal_path):
    token = portal_path.removeprefix("/c/")
    assert fast_page.find("not-a-token", b"", "10.0.0.1") is None
    assert fast_page.find(token, b"sent=1", "10.0.0.1") is None
    found = fast_page.find(token, b"", "10.0.0.1")
    assert found is not None and found.entry is None
    client.get(portal_path)  # Django renders and caches the page
    assert fast_page.find(token, b"", "10.0.0.1").entry is not None
    assert fast_page.find(token, b"lang=es", "10.0.0.1").entry is None


@pytest.mark.django_db
def test_find_leaves_rate_limited_clients_to_django(claim, portal_path):
    token = portal_path.removeprefix("/c/")
    with override_settings(PORTAL_404_LIMIT_PER_MINUTE=1):
        ratelimit.token_miss_record("10.0.0.9")
        assert fast_page.find(token, b"", "10.0.0.9") is None
        assert fast_page.find(token, b"", "10.0.0.8") is not None
