"""`GET /c/<token>` answered from the page cache before Django, when nothing on it changed.

Under ASGI every Django request pays for a fresh worker thread, a fresh database connection
and a round of thread hops through the middleware: ~3-5 ms of CPU before the view runs, more
than a cached page costs. So asgi.py hands portal page requests here first. This handler
checks the token and reads the page state (``page_cache``) on a small thread pool (on
PostgreSQL each read borrows a connection from the process's pool), and when the page is
cached with the headers Django sent it with, replays those exact bytes. Everything else goes
to Django unchanged: unknown, revoked or expired tokens (Django answers the uniform 404 and
counts the miss), rate-limited clients, ``?sent``, cache misses, any error here. A page
Django renders is cached by the view; this handler then records the headers it went out
with, so nothing the middleware adds (security headers, CSP) can differ between the two ways
of answering.
"""

from __future__ import annotations

import asyncio
import logging
import re

from django.http import QueryDict

from claimory.claims.selectors import portal_access_for_token
from claimory.core import compression, ratelimit
from claimory.core.clients import scope_client_ip
from claimory.core.db_pool import ReleasingExecutor
from claimory.core.db_retry import reconnecting
from claimory.portal import page_cache
from claimory.reports import portal_counter

logger = logging.getLogger(__name__)

PAGE_PATH = re.compile(r"^/c/([^/]+)$")
_pool = ReleasingExecutor(2, thread_name_prefix="portal-page")
# Keys whose page a request of this process is rendering now (see portal_page).
_rendering: dict[tuple, asyncio.Future] = {}


@reconnecting
def find(token: str, query_string: bytes, ip: str) -> page_cache.Lookup | None:
    """This request's place in the page cache, or None when Django must answer it."""
    if ratelimit.token_miss_wait(ip) is not None:
        return None
    access = portal_access_for_token(token)
    if access is None:
        return None
    query = QueryDict(query_string)
    if "sent" in query or "uploaded" in query:  # notes of the moment: never cached
        return None
    return page_cache.lookup(query, access)


def _replayable(headers) -> tuple[tuple[bytes, bytes], ...] | None:
    pairs = tuple((bytes(name).lower(), bytes(value)) for name, value in headers)
    # A response that sets a cookie belongs to one browser: never replay it to another.
    return None if any(name == b"set-cookie" for name, _value in pairs) else pairs


async def portal_page(scope, receive, send, token: str, django_app) -> None:
    query_string = scope.get("query_string", b"")
    if scope["method"] not in ("GET", "HEAD") or b"sent" in query_string \
            or b"uploaded" in query_string:
        # Writes, and the "message sent" / "files sent" renders (never cached), are Django's.
        return await django_app(scope, receive, send)
    loop = asyncio.get_running_loop()
    try:
        found = await loop.run_in_executor(_pool, find, token, scope.get("query_string", b""),
                                           scope_client_ip(scope))
    except Exception:  # Django answers instead, as if this handler did not exist
        logger.exception("portal page cache lookup failed")
        found = None
    if found is None:
        return await django_app(scope, receive, send)
    pending = _rendering.get(found.key)
    if found.entry is None and pending is not None:
        # This page is being rendered for another request right now (the first look after
        # a change, or a new minute): wait for that render instead of starting another, so
        # fifty readers of a page that just changed cost one render, not fifty.
        await asyncio.shield(pending)
        found.entry = page_cache.pages.get(found.key)
    if found.entry is not None and found.entry.headers is not None:
        if scope["method"] == "GET":  # a render is counted by the Django view instead
            portal_counter.record(found.key[0])  # key[0] is the claim id; no I/O here
        return await _replay(scope, send, found.entry)
    if scope["method"] != "GET" or pending is not None:
        return await django_app(scope, receive, send)
    _rendering[found.key] = done = loop.create_future()
    try:
        return await _render_and_learn(scope, receive, send, django_app, found.key)
    finally:
        del _rendering[found.key]
        done.set_result(None)


def _accept_encoding(scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"accept-encoding":
            return value.decode("latin-1")
    return ""


async def _replay(scope, send, entry: page_cache.Entry) -> None:
    """The cached page, compressed as the client accepts (see README: why this is safe)."""
    headers, body = entry.variant(compression.negotiate(_accept_encoding(scope)))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body",
                "body": b"" if scope["method"] == "HEAD" else body})


async def _render_and_learn(scope, receive, send, django_app, key) -> None:
    """Let Django answer, then remember the headers of the page it cached under ``key``.

    Django's answer is held until it is complete (one page, ~12 KB): when it is the page
    just cached, it goes out as every later replay will, compressed; otherwise as it came.
    """
    messages: list[dict] = []

    async def capture(message) -> None:
        messages.append(message)

    await django_app(scope, receive, capture)
    start = next((m for m in messages if m["type"] == "http.response.start"), {})
    if start.get("status") == 200:
        headers = _replayable(start.get("headers", ()))
        if headers is not None:
            body = b"".join(m.get("body", b"") for m in messages
                            if m["type"] == "http.response.body")
            entry = await asyncio.get_running_loop().run_in_executor(
                _pool, page_cache.pages.headers_seen, key, body, headers)
            if entry is not None:
                return await _replay(scope, send, entry)
    for message in messages:
        await send(message)
