"""The portal page's ASGI fast path: replays cached pages exactly, hands everything else to
Django, and renders a page that just changed once however many readers ask at once."""

import asyncio
import threading

import pytest
from django.test import override_settings

from claimory.core import ratelimit
from claimory.portal import fast_page
from claimory.portal.page_cache import Lookup, pages

KEY = ("claim", 1)
HEADERS = ((b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"4"),
           (b"content-security-policy", b"default-src 'self'"))


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


def scope(method="GET"):
    return {"type": "http", "method": method, "path": "/c/token", "query_string": b"",
            "client": ("127.0.0.1", 5000), "headers": []}


async def request(django, method="GET"):
    sent = []

    async def send(message):
        if "headers" in message:
            message = {**message, "headers": tuple(map(tuple, message["headers"]))}
        sent.append(message)

    async def receive():
        return {"type": "http.disconnect"}

    await fast_page.portal_page(scope(method), receive, send, "token", django)
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
    assert second[0]["headers"] == HEADERS and second[1]["body"] == b"page"


def test_head_replays_headers_without_the_body(monkeypatch):
    found_page(monkeypatch)
    django = FakeDjango()
    run(request(django))
    sent = run(request(django, "HEAD"))
    assert django.calls == 1 and sent[0]["headers"] == HEADERS and sent[1]["body"] == b""


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
    assert all(sent[0]["headers"] == HEADERS for sent in answers)


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
