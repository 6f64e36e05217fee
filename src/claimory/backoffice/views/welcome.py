"""The "Get started" checklist (/staff/welcome) for owners and managers of a new shop."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import permission_view
from claimory.shops.onboarding import (
    checklist,
    finished,
    hours_confirm,
    next_step,
    onboarding_close,
    onboarding_reopen,
)
from claimory.shops.permissions import role_can
from claimory.shops.selectors import location_get_for_user, locations_for_user


def _location(request: HttpRequest):
    slug = request.GET.get("location") or request.POST.get("location", "")
    if slug:
        return location_get_for_user(request.user, slug)
    location = locations_for_user(request.user).order_by("created_at").first()
    if location is None:
        raise Http404("No location")
    return location


@permission_view("settings.location")
@require_GET
def welcome(request: HttpRequest) -> HttpResponse:
    workspace = request.membership.workspace
    location = _location(request)
    steps = checklist(workspace, location,
                      can_texting=role_can(request.membership.role, "texting.manage"))
    done = sum(step.done for step in steps)
    complete = finished(steps)
    if complete and workspace.onboarding_closed_at is None:
        onboarding_close(workspace)  # the nav stops offering it; this page stays
    return render(request, "backoffice/welcome.html", {
        "location": location, "steps": steps, "next": next_step(steps),
        "done": done, "total": len(steps),
        "complete": complete, "closed": complete or workspace.onboarding_closed_at is not None,
        "public_url": f"/p/{location.slug}",
    })


@permission_view("settings.location")
@require_POST
def welcome_hours(request: HttpRequest) -> HttpResponse:
    """"Our hours are the defaults": the hours step is done without changing them."""
    hours_confirm(_location(request))
    messages.success(request, "Hours confirmed. Change them any time in Settings → Shop "
                              "details.")
    return redirect("backoffice:welcome")


@permission_view("settings.location")
@require_POST
def welcome_hide(request: HttpRequest) -> HttpResponse:
    workspace = request.membership.workspace
    if request.POST.get("show") == "1":
        onboarding_reopen(workspace)
        return redirect("backoffice:welcome")
    onboarding_close(workspace)
    messages.info(request, "Checklist hidden. It stays at Settings → Get started.")
    return redirect("backoffice:claims")
