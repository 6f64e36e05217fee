"""ASGI entry point served by uvicorn (`claimory serve`, `claimory demo`).

The portal's event stream (`/c/<token>/events`) is answered by a lean raw-ASGI handler before
Django sees the request: thousands of streams stay open per process, and none of them pays
for Django's middleware or StreamingHttpResponse. Everything else is Django.
"""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_application = get_asgi_application()

from claimory.portal.fast_page import PAGE_PATH, portal_page  # noqa: E402
from claimory.realtime.backends import get_backend  # noqa: E402
from claimory.realtime.endpoint import EVENTS_PATH, event_stream  # noqa: E402

get_backend()  # a bad CLAIMORY_NOTIFIER stops the server here, not at the first stream

# With 10,000 streams a server process holds ~500,000 long-lived connection objects, and with
# Python's default thresholds short-lived objects of each fan-out get promoted until a full
# collection runs: a 300-400 ms pause in the middle of a delivery burst (seen in
# bench/fanout.py). Rarer young collections promote far less; freezing moves what the
# framework loaded at import out of every future scan.
gc.freeze()
gc.set_threshold(10_000, 20, 20)


async def application(scope, receive, send):
    if scope["type"] == "http":
        match = EVENTS_PATH.match(scope["path"])
        if match:
            return await event_stream(scope, receive, send, match.group(1))
        match = PAGE_PATH.match(scope["path"])
        if match:  # cached portal pages skip Django (portal/fast_page.py)
            return await portal_page(scope, receive, send, match.group(1), django_application)
    elif scope["type"] == "lifespan":
        return await _lifespan(receive, send)
    return await django_application(scope, receive, send)


async def _lifespan(receive, send):
    # Django has no lifespan support; the hub starts lazily with the first stream.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            from claimory.realtime import hub

            if hub.current() is not None:
                await hub.current().stop()
            await send({"type": "lifespan.shutdown.complete"})
            return
