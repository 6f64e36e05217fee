"""ASGI entry point served by uvicorn (`claimory serve`, `claimory demo`).

The portal's event stream (`/c/<token>/events`) is answered by a lean raw-ASGI handler before
Django sees the request: thousands of streams stay open per process, and none of them pays
for Django's middleware or StreamingHttpResponse. Everything else is Django.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_application = get_asgi_application()

from claimory.realtime.endpoint import EVENTS_PATH, event_stream  # noqa: E402


async def application(scope, receive, send):
    if scope["type"] == "http":
        match = EVENTS_PATH.match(scope["path"])
        if match:
            return await event_stream(scope, receive, send, match.group(1))
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
