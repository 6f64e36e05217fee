"""Staff real time: the event stream and the fragments pages re-fetch when it says so.

The stream only says *what* changed (claim, event type); pages then fetch the server-rendered
fragment, drawn by the same templates as the full page, and swap it in.
"""

from __future__ import annotations

import datetime as dt

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from claimory.backoffice.access import staff_view
from claimory.backoffice.selectors import board_card_visible
from claimory.backoffice.views.claims import claim_context
from claimory.claims.selectors import claim_get_for_user
from claimory.realtime import staff_feed
from claimory.shops.selectors import locations_for_user, membership_for_user

MAX_CURSOR_DIGITS = 15
MAX_SINCE_DIGITS = 13  # epoch milliseconds until the year 2286; more would overflow datetime


@staff_view
@require_GET
def claim_live(request: HttpRequest, claim_id: int) -> HttpResponse:
    """The claim page's changing parts: progress, ETA, thread and timeline."""
    claim = claim_get_for_user(request.user, claim_id)
    return render(request, "backoffice/_claim_live.html", claim_context(claim))


@staff_view
@require_GET
def board_card(request: HttpRequest, claim_id: int) -> HttpResponse:
    """One board card as the board draws it; 204 when the claim has left the board."""
    claim = claim_get_for_user(request.user, claim_id)
    if not board_card_visible(claim):
        return HttpResponse(status=204)
    stages = list(claim.location.stages.order_by("position", "id"))
    # A plain "Move" on a swapped-in card returns to the board this card is on.
    board_next = reverse("backoffice:board")
    if locations_for_user(request.user).count() > 1:
        board_next += f"?location={claim.location.slug}"
    return render(request, "backoffice/_board_card.html",
                  {"claim": claim, "stages": stages, "board_next": board_next})


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")


def _digits(raw: str | None, limit: int = MAX_CURSOR_DIGITS) -> int | None | bool:
    """A whole number, None when absent, False when malformed."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > limit:
        return False
    return int(raw)


def _location_ids(user) -> list[int] | None:
    if membership_for_user(user) is None:
        return None
    return list(locations_for_user(user).values_list("id", flat=True))


@require_GET
async def staff_events(request: HttpRequest) -> HttpResponse:
    """``text/event-stream`` of every event at the user's locations (internal ones too).

    ``Last-Event-ID`` (or ``?last_event_id=``) replays later events; ``?since=`` (epoch ms,
    as rendered into the page) replays events newer than the page. Both reach back a few
    minutes at most: pages re-fetch their fragments on reconnect anyway.
    """
    user = await request.auser()
    if not user.is_authenticated:
        return _plain(401, "Sign in to receive live updates.")
    locations = await sync_to_async(_location_ids)(user)
    if locations is None:
        return _plain(403, "Your account is not part of a shop.")
    after = _digits(request.headers.get("Last-Event-ID") or request.GET.get("last_event_id"))
    since = _digits(request.GET.get("since"), MAX_SINCE_DIGITS)
    if after is False or since is False:
        return _plain(400, "Last-Event-ID and since must be whole numbers.")
    if not hasattr(request, "scope"):
        # Under WSGI (runserver) Django would buffer the endless stream and hold a thread.
        return _plain(503, "Live updates need the ASGI server: run `claimory serve`.")
    since_at = None if since is None else dt.datetime.fromtimestamp(since / 1000, tz=dt.UTC)
    response = StreamingHttpResponse(
        staff_feed.stream(locations, after=after, since=since_at),
        content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-store, private"
    response["X-Accel-Buffering"] = "no"
    return response
