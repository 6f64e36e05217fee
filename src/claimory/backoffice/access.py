"""Who may use the back office: signed-in staff with a membership, each action as their role
allows (claimory.shops.permissions holds the matrix)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from claimory.shops.models import Membership
from claimory.shops.permissions import Can, require, role_can
from claimory.shops.plans import plan_status
from claimory.shops.selectors import membership_for_user


def can_manage(membership: Membership | None) -> bool:
    """Whether the nav shows Settings (owners and managers: the settings permissions)."""
    return membership is not None and (role_can(membership.role, "settings.location")
                                       or role_can(membership.role, "settings.stages"))


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """The 403 answer: JSON to the pages' fetch calls, else the explanation page."""
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"error": message}, status=403)
    return render(request, "backoffice/forbidden.html", {"message": message}, status=403)


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required, then a membership: a user without one gets an explanation, not a crash.

    Sets ``request.membership``, ``request.can`` (what the role may do, for templates) and
    ``request.can_manage`` for the view and the nav. A PermissionDenied raised by a gate or a
    service becomes a 403 that says who may do it.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        membership = membership_for_user(request.user)
        if membership is None:
            return render(request, "backoffice/no_membership.html", status=403)
        request.membership = membership
        request.can = Can(membership.role)
        request.can_manage = can_manage(membership)
        request.plan = plan_status(membership.workspace)
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, str(exc) or "Your role can't do that.")

    return wrapper


def permission_view(perm: str) -> Callable[[Callable[..., HttpResponse]],
                                           Callable[..., HttpResponse]]:
    """A staff view that only roles holding ``perm`` may open (any method); others get 403."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @staff_view
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            require(request.membership, perm)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
