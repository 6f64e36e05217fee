"""Who may use the back office: signed-in staff with a membership; settings need owner/manager."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from claimory.shops.models import Membership
from claimory.shops.selectors import membership_for_user


def can_manage(membership: Membership | None) -> bool:
    """Settings belong to owners and managers (the roles that see every location)."""
    return membership is not None and membership.sees_all_locations


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required, then a membership: a user without one gets an explanation, not a crash.

    Sets ``request.membership`` and ``request.can_manage`` for the view and the nav.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        membership = membership_for_user(request.user)
        if membership is None:
            return render(request, "backoffice/no_membership.html", status=403)
        request.membership = membership
        request.can_manage = can_manage(membership)
        return view(request, *args, **kwargs)

    return wrapper


def manager_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff view that only owners and managers may open; others see a 403 page."""

    @staff_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.can_manage:
            return render(request, "backoffice/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
