"""The reports pages (/staff/reports, /staff/reports/carriers) and their CSV downloads.

Owners and managers only (``reports.view``). Locations come from ``locations_for_user``: a
location of another workspace is a 404, like every other staff lookup.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from claimory.backoffice.access import permission_view
from claimory.backoffice.switcher import working_location
from claimory.reports import catalog
from claimory.reports.export import csv_response
from claimory.reports.forms import ALL, ReportFilter
from claimory.reports.period import Period, tz_of
from claimory.shops.models import Location
from claimory.shops.plans import Feature, has_feature
from claimory.shops.selectors import locations_for_user


def _scope(request: HttpRequest) -> tuple[ReportFilter, list[Location], list[Location], Period]:
    """The filter, the user's locations, the chosen ones and the period; 404 for a location
    the user can't see, 400 (``_Invalid``) for a filter that doesn't parse."""
    form = ReportFilter(request.GET)
    if not form.is_valid():
        raise _Invalid(form)
    mine = list(locations_for_user(request.user).order_by("name"))
    group = has_feature(request.membership.workspace, Feature.GROUP_REPORTS) and len(mine) > 1
    working = working_location(request, mine)
    wanted = form.cleaned_data.get("location") or (
        working.slug if working else (ALL if group else ""))
    if wanted == ALL and not group:  # across locations is a group plan's report (plans.py)
        wanted = working.slug if working else ""
    if wanted == ALL:
        chosen = mine
    elif wanted:
        chosen = [loc for loc in mine if loc.slug == wanted]
    else:
        chosen = mine[:1]
    if not chosen:
        raise Http404("No such location")
    today = timezone.now().astimezone(tz_of(chosen[0])).date()
    try:
        period = form.period(today)
    except ValidationError as exc:
        form.add_error(None, exc)
        raise _Invalid(form) from None
    return form, mine, chosen, period


class _Invalid(Exception):
    def __init__(self, form: ReportFilter) -> None:
        self.form = form


def _query(request: HttpRequest, chosen: Sequence[Location], mine: Sequence[Location],
           period: Period) -> str:
    """The filter as a query string that names the period exactly (for the other page and
    the CSV links)."""
    query = QueryDict(mutable=True)
    query["location"] = ALL if len(chosen) > 1 else chosen[0].slug
    query["start"], query["end"] = period.start.isoformat(), period.end.isoformat()
    query["grain"] = period.grain
    return query.urlencode()


def _page(request: HttpRequest, template: str, build) -> HttpResponse:
    try:
        form, mine, chosen, period = _scope(request)
    except _Invalid as invalid:
        return render(request, template, {"form": invalid.form, "sections": [],
                                          "invalid": True}, status=400)
    return render(request, template, {
        "form": form, "locations": mine, "chosen": chosen, "period": period,
        "location_value": ALL if len(chosen) > 1 else chosen[0].slug,
        "group_reports": has_feature(request.membership.workspace, Feature.GROUP_REPORTS),
        "query": _query(request, chosen, mine, period), "sections": build(chosen, period),
    })


@require_safe
@permission_view("reports.view")
def reports_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "reports/overview.html", catalog.overview)


@require_safe
@permission_view("reports.view")
def carriers_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "reports/carriers.html",
                 lambda chosen, period: [catalog.scorecard_section(chosen, period)])


@require_safe
@permission_view("reports.view")
def report_csv(request: HttpRequest, report: str) -> HttpResponse:
    if report not in catalog.REPORTS:
        raise Http404("No such report")
    try:
        _form, _mine, chosen, period = _scope(request)
    except _Invalid as invalid:
        errors = "; ".join(e for errs in invalid.form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    section = catalog.section(report, chosen, period)
    who = "all-locations" if len(chosen) > 1 else chosen[0].slug
    header, rows = section.csv_rows()
    return csv_response(f"claimory-{report}-{who}-{period.start}-to-{period.end}.csv",
                        header, rows)
