"""The production board: a column per stage, cards that move by drag, keyboard or select."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claimory.backoffice.access import staff_view
from claimory.backoffice.selectors import BOARD_DELIVERED_DAYS, board_columns
from claimory.shops.selectors import locations_for_user


@staff_view
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    locations = list(locations_for_user(request.user))
    slug = request.GET.get("location", "")
    location = next((loc for loc in locations if loc.slug == slug), None) if slug else \
        (locations[0] if locations else None)
    if slug and location is None:
        raise Http404("No such location")
    columns = board_columns(location) if location else []
    return render(request, "backoffice/board.html", {
        "location": location,
        "locations": locations,
        "columns": columns,
        "stages": [column.stage for column in columns],
        "board_next": request.get_full_path(),
        "delivered_days": BOARD_DELIVERED_DAYS,
    })
