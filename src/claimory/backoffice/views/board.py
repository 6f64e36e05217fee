"""The production board: a column per stage, cards that move by drag, keyboard or select."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import staff_view
from claimory.backoffice.selectors import BOARD_DELIVERED_DAYS, board_columns
from claimory.backoffice.switcher import working_location, working_location_set
from claimory.shops.selectors import locations_for_user


@staff_view
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    locations = list(locations_for_user(request.user))
    slug = request.GET.get("location", "")
    location = next((loc for loc in locations if loc.slug == slug), None) if slug else \
        (working_location(request, locations) or (locations[0] if locations else None))
    if slug and location is None:
        raise Http404("No such location")
    if slug:
        working_location_set(request, location)
    columns = board_columns(location) if location else []
    return render(request, "backoffice/board.html", {
        "location": location,
        "locations": locations,
        "columns": columns,
        "stages": [column.stage for column in columns],
        "board_next": request.get_full_path(),
        "delivered_days": BOARD_DELIVERED_DAYS,
    })


@staff_view
@require_POST
def location_switch(request: HttpRequest) -> HttpResponse:
    """The top bar's picker: remember the location (or all) and go back where we were."""
    locations = list(locations_for_user(request.user))
    slug = request.POST.get("location", "")
    location = next((loc for loc in locations if loc.slug == slug), None)
    if slug and location is None:
        raise Http404("No such location")
    working_location_set(request, location)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()) \
            or not target.startswith("/staff/"):
        target = reverse("backoffice:claims")
    # A page that names its location in the address follows the pick.
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("location", "page")]
    if location is not None and any(k == "location" for k, _ in parse_qsl(parts.query)):
        query.append(("location", location.slug))
    return redirect(urlunsplit(parts._replace(query=urlencode(query))))
