"""AI drafts on the claim page: draft a reply, then a person sends (approves) or discards it.

Plain form posts answered with a redirect to the thread; a drafter that fails says so in a
flash message (never a 500). Sending goes through drafts.services.draft_send only.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from claimory.backoffice.access import staff_view
from claimory.claims.models import Claim
from claimory.claims.selectors import claim_get_for_user
from claimory.drafts.drafters import DrafterError
from claimory.drafts.selectors import draft_get_for_claim
from claimory.drafts.services import draft_create, draft_discard, draft_send


class DraftSendForm(forms.Form):
    body = forms.CharField(strip=False, error_messages={"required": "Write a message first."})


def _thread(claim: Claim) -> HttpResponse:
    return redirect(reverse("backoffice:claim", args=[claim.pk]) + "#thread")


@staff_view
@require_POST
def draft_new(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "message.send")
    try:
        draft_create(claim=claim, actor=request.user)
    except DrafterError as exc:
        messages.error(request, f"No draft: {exc}")
    else:
        messages.info(request, "Draft ready below — read and edit it; nothing is sent "
                               "until you press Send.")
    return _thread(claim)


@staff_view
@require_POST
def draft_send_view(request: HttpRequest, claim_id: int, draft_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "message.send")
    draft = draft_get_for_claim(claim, draft_id)
    form = DraftSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The draft is empty: write a message first.")
        return _thread(claim)
    try:
        draft_send(draft=draft, actor=request.user, body=form.cleaned_data["body"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Sent.")
    return _thread(claim)


@staff_view
@require_POST
def draft_discard_view(request: HttpRequest, claim_id: int, draft_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "message.send")
    draft = draft_get_for_claim(claim, draft_id)
    try:
        draft_discard(draft=draft, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _thread(claim)
