"""`GET /c/<token>/events` as a raw ASGI handler, dispatched by asgi.py before Django.

Django's StreamingHttpResponse costs ~50 KB and a middleware pass per stream; this holds a
stream in a few hundred bytes of our own on top of the server's connection. The database is
touched only at connect (token check + replay, in the hub's pool); after that the stream only
receives bytes from the hub's fan-out.

Events the customer may not see (internal notes, staff-only changes) are skipped, not sent as
id-only blocks: an id-only block would tell the customer when and how often the shop writes
internal entries. The client's Last-Event-ID therefore stays at the last visible event and a
reconnect re-reads (and skips again) the hidden ones after it — a little database work, no
leak, nothing lost.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs

from claimory.core.clients import scope_client_ip
from claimory.realtime import hub as hubs
from claimory.realtime.store import Opened
from claimory.realtime.wire import ERROR_HEADERS, RETRY, STREAM_HEADERS

logger = logging.getLogger(__name__)

EVENTS_PATH = re.compile(r"^/c/([^/]+)/events$")
MAX_CURSOR_DIGITS = 12


async def _plain(send, status: int, text: str, extra: list | None = None) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [*ERROR_HEADERS, (b"content-length", b"%d" % len(body)),
                            *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


def _cursor(scope) -> int:
    """Last-Event-ID (header on reconnect, ?last_event_id= on first connect); 0 if absent.

    Junk ("²", "abc", 40 digits) counts as absent: the token check and the throttle still run
    first, and a replay from the start only repeats what the customer may see anyway.
    """
    raw = None
    for name, value in scope["headers"]:
        if name == b"last-event-id":
            raw = value.decode("latin-1").strip()
    if raw is None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        raw = (query.get("last_event_id") or [""])[0].strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > MAX_CURSOR_DIGITS:
        return 0
    return int(raw)


async def event_stream(scope, receive, send, token: str) -> None:
    if scope["method"] != "GET":
        await _plain(send, 405, "Use GET.\n", [(b"allow", b"GET")])
        return
    after = _cursor(scope)
    hub = hubs.hub_for_running_loop()
    try:
        admitted = await hub.admit(token, after, scope_client_ip(scope))
    except Exception:  # noqa: BLE001 - database down: a clear 503, never a 500
        logger.warning("event stream admission failed", exc_info=True)
        await _plain(send, 503, "Updates are unavailable for a moment; retry shortly.\n",
                     [(b"retry-after", b"5")])
        return
    if admitted is None:
        await _plain(send, 404, "Not found.\n")
        return
    if not isinstance(admitted, Opened):
        await _plain(send, 429, "Too many attempts; wait a minute.\n",
                     [(b"retry-after", str(admitted).encode())])
        return
    await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
    await send({"type": "http.response.body", "body": RETRY + admitted.replay,
                "more_body": True})
    stream = hub.stream_new(send, admitted)
    hub.add(stream, admitted.claim_seq)
    try:
        # Waits until the client leaves, or until the hub ends the response (revoked,
        # expired, too slow): a completed response makes receive() report a disconnect.
        while (await receive())["type"] != "http.disconnect":
            pass
    finally:
        hub.remove(stream)
