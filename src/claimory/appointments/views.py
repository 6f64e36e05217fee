"""The secret iCalendar feed: `/calendar/<token>.ics`, no other credential (the token is
the capability, like a portal link); an unknown token is a 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from claimory.appointments.ics import calendar_ics
from claimory.appointments.models import Availability
from claimory.core.origin import base_host


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    rules = Availability.objects.select_related("location").filter(
        calendar_token=token).first() if 20 <= len(token) <= 64 else None
    if rules is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendar_ics(rules.location, base_host()),
                            content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
