"""Settings → Plan: the workspace's plan, its trial, and choosing a plan (owners)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import permission_view
from claimory.shops.plans import FEATURE_NAMES, PLANS, Feature, plan_info
from claimory.shops.selectors import locations_for_user
from claimory.shops.services import workspace_plan_choose


@permission_view("settings.location")
@require_GET
def plan_page(request: HttpRequest) -> HttpResponse:
    workspace = request.membership.workspace
    locations = list(locations_for_user(request.user))
    count = workspace.locations.count()
    current = plan_info(workspace)
    rows = [{"info": info, "current": info.plan == current.plan,
             "total": info.price * count if info.price is not None else None,
             "includes": [FEATURE_NAMES[f] for f in Feature if f in info.features]}
            for info in PLANS.values()]
    return render(request, "backoffice/settings_plan.html", {
        "location": locations[0] if locations else None, "locations": locations,
        "rows": rows, "current": current, "location_count": count,
    })


@permission_view("billing.manage")
@require_POST
def plan_choose(request: HttpRequest) -> HttpResponse:
    workspace = request.membership.workspace
    try:
        workspace = workspace_plan_choose(workspace=workspace, plan=request.POST.get("plan", ""),
                                          actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"You're on {plan_info(workspace).name}. Thank you! "
                                  f"Everything you set up during the trial carries on.")
    return redirect("backoffice:settings_plan")
