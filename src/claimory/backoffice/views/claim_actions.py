"""Things staff do to one claim: edit, move stage, add a note, rotate or revoke the link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from claimory.backoffice.access import staff_view
from claimory.backoffice.forms.claims import (
    COMMON_CARRIERS,
    ClaimEditForm,
    NoteForm,
    StageMoveForm,
    money_posted,
)
from claimory.backoffice.views.claims import claim_page
from claimory.claims.selectors import claim_get_for_user
from claimory.claims.services import (
    claim_edit,
    claim_note_add,
    claim_stage_set,
    portal_token_revoke,
    portal_token_rotate,
)
from claimory.shops.permissions import RoleDenied


@staff_view
def claim_edit_view(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "claim.edit")
    money = request.can.has("claim.money_edit")
    if request.method == "POST" and not money and money_posted(request.POST):
        raise RoleDenied("claim.money_edit")
    form = ClaimEditForm(request.POST or None, claim=claim, money=money)
    if request.method == "POST" and form.is_valid():
        try:
            claim_edit(claim=claim, data=form.to_input(), actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Claim saved.")
            return redirect("backoffice:claim", claim_id=claim.pk)
    return render(request, "backoffice/claim_edit.html",
                  {"claim": claim, "form": form, "carriers": COMMON_CARRIERS},
                  status=form.status_code)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return target if target and ok else fallback


@staff_view
@require_POST
def claim_stage(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Move the car to another stage: the board's drag and drop, keyboard and select all
    post here. Answers JSON to ``X-Requested-With: fetch``, else redirects to ``next``."""
    claim = claim_get_for_user(request.user, claim_id, "claim.stage_move")
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    form = StageMoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"stage": ["Choose a stage to move the car to."]})
        claim_stage_set(claim=claim, stage=form.cleaned_data["stage"], actor=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        if wants_json:
            return JsonResponse({"error": error}, status=400)
        messages.error(request, error)
        return redirect(_safe_next(request, reverse("backoffice:claim", args=[claim.pk])))
    if wants_json:
        return JsonResponse({"claim_id": claim.pk, "stage": claim.stage.slug,
                             "stage_name": claim.stage.name})
    messages.success(request, f"{claim} moved to {claim.stage.name}.")
    return redirect(_safe_next(request, reverse("backoffice:claim", args=[claim.pk])))


@staff_view
@require_POST
def claim_note(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "claim.note")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            claim_note_add(claim=claim, body=form.cleaned_data["body"], actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Internal note added.")
            return redirect(reverse("backoffice:claim", args=[claim.pk]) + "#timeline")
    return claim_page(request, claim, note_form=form, status=400)


@staff_view
@require_POST
def portal_rotate(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "portal_link.manage")
    portal_token_rotate(claim=claim, actor=request.user)
    messages.success(request, "New portal link issued. The old link and any printed QR code "
                              "no longer work: reprint the work order.")
    return redirect(reverse("backoffice:claim", args=[claim.pk]) + "#portal")


@staff_view
@require_POST
def portal_revoke(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "portal_link.manage")
    portal_token_revoke(claim=claim, actor=request.user)
    messages.success(request, "Portal link revoked: nobody can open it now. Issue a new "
                              "link when the customer needs one.")
    return redirect(reverse("backoffice:claim", args=[claim.pk]) + "#portal")
