"""Survey follow-ups (owners and managers): the private tasks a low score opens, and resolving
one with a note of what was done."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import permission_view
from claimory.survey.selectors import follow_up_get_for_user, follow_ups_for_user
from claimory.survey.services import follow_up_resolve

SHOWN = 200  # open ones always fit; older resolved ones fall off the end


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label="What was done", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "e.g. Called, apologized, "
                                                               "booked the car back in Tuesday."}))


def _page(request: HttpRequest, *, bound: ResolveForm | None = None, bound_id: int = 0,
          status: int = 200) -> HttpResponse:
    rows = list(follow_ups_for_user(request.user)[:SHOWN])
    return render(request, "backoffice/follow_ups.html", {
        "rows": [(f, bound if f.pk == bound_id else ResolveForm(prefix=f"f{f.pk}"))
                 for f in rows],
        "open_count": sum(1 for f in rows if f.state == "open"),
    }, status=status)


@permission_view("surveys.follow_up")
@require_GET
def follow_ups(request: HttpRequest) -> HttpResponse:
    return _page(request)


@permission_view("surveys.follow_up")
@require_POST
def follow_up_resolve_view(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    follow_up = follow_up_get_for_user(request.user, follow_up_id)
    form = ResolveForm(request.POST, prefix=f"f{follow_up.pk}")
    if form.is_valid():
        try:
            follow_up_resolve(follow_up=follow_up, note=form.cleaned_data["resolution"],
                              actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("resolution", message)
        else:
            messages.success(request, f"Follow-up with {follow_up.survey.claim.customer.name} "
                                      "resolved.")
            return redirect(reverse("backoffice:follow_ups"))
    return _page(request, bound=form, bound_id=follow_up.pk, status=400)
