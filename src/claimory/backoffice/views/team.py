"""Settings → Team: who works here, invitations, roles and locations (staff.manage)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from claimory.backoffice.access import permission_view
from claimory.backoffice.forms.signup import InviteForm, MemberForm
from claimory.shops.selectors import locations_for_user
from claimory.shops.team import (
    is_pending,
    member_change,
    member_get,
    member_invite,
    member_invite_resend,
    member_remove,
    team_members,
)


def _page(request: HttpRequest, *, invite: InviteForm | None = None, bound=None,
          status: int = 200) -> HttpResponse:
    workspace = request.membership.workspace
    locations = list(workspace.locations.order_by("name"))
    rows = []
    for membership in team_members(workspace):
        form = bound if bound is not None and bound.membership_id == membership.pk else \
            MemberForm(initial={"role": membership.role, "locations": [
                str(loc.pk) for loc in membership.locations.all()]},
                locations=locations, prefix=f"m{membership.pk}")
        rows.append({"m": membership, "pending": is_pending(membership), "form": form,
                     "me": membership.pk == request.membership.pk,
                     "locations": ", ".join(loc.name for loc in membership.locations.all())
                     if not membership.sees_all_locations else "All locations"})
    return render(request, "backoffice/settings_team.html", {
        "location": next(iter(locations_for_user(request.user)), None),
        "locations": list(locations_for_user(request.user)), "rows": rows,
        "invite": invite or InviteForm(locations=locations, prefix="invite"),
    }, status=status)


@permission_view("staff.manage")
@require_http_methods(["GET", "HEAD", "POST"])
def team(request: HttpRequest) -> HttpResponse:
    """The list, and the invitation form posting back here."""
    if request.method != "POST":
        return _page(request)
    workspace = request.membership.workspace
    form = InviteForm(request.POST, locations=list(workspace.locations.order_by("name")),
                      prefix="invite")
    if form.is_valid():
        try:
            membership, sent = member_invite(
                workspace=workspace, email=form.cleaned_data["email"],
                name=form.cleaned_data["name"], role=form.cleaned_data["role"],
                location_ids=form.cleaned_data["locations"], actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if sent:
                messages.success(request, f"Invitation sent to {membership.user.email}.")
            else:
                messages.warning(request, f"{membership.user.email} is on the team, but the "
                                          f"email didn't go out. Try Resend.")
            return redirect("backoffice:settings_team")
    return _page(request, invite=form, status=400)


@permission_view("staff.manage")
@require_POST
def member_edit(request: HttpRequest, membership_id: int) -> HttpResponse:
    workspace = request.membership.workspace
    membership = member_get(workspace, membership_id)
    form = MemberForm(request.POST, locations=list(workspace.locations.order_by("name")),
                      prefix=f"m{membership.pk}")
    form.membership_id = membership.pk
    if form.is_valid():
        try:
            member_change(membership=membership, role=form.cleaned_data["role"],
                          location_ids=form.cleaned_data["locations"], actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            who = membership.user.get_full_name() or membership.user.email
            messages.success(request, f"Saved {who}.")
            return redirect("backoffice:settings_team")
    return _page(request, bound=form, status=400)


@permission_view("staff.manage")
@require_POST
def member_resend(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = member_get(request.membership.workspace, membership_id)
    try:
        sent = member_invite_resend(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, status=400)
    else:
        if sent:
            messages.success(request, f"Invitation sent again to {membership.user.email}.")
        else:
            messages.warning(request, "The email didn't go out. Try again in a moment.")
    return redirect("backoffice:settings_team")


@permission_view("staff.manage")
@require_POST
def member_delete(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = member_get(request.membership.workspace, membership_id)
    try:
        member_remove(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, status=400)
    messages.success(request, f"{membership.user.get_full_name() or membership.user.email} "
                              f"was removed from the team.")
    return redirect("backoffice:settings_team")
