"""The claim's message thread: reply, mark read, mark done, assign to a teammate.

Every action answers a plain form post with a redirect (or the page again with a 400 and
the error), and a ``fetch`` post (``X-Requested-With: fetch``) with a fragment or JSON.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claimory.backoffice.access import staff_view
from claimory.backoffice.forms.messages import AssignForm, ReplyForm, ReturnForm
from claimory.backoffice.selectors import INBOX_TABS, teammate_get
from claimory.backoffice.thread import staff_thread
from claimory.backoffice.views.claims import claim_page
from claimory.backoffice.views.inbox import inbox_page
from claimory.claims.models import Claim
from claimory.claims.selectors import claim_get_for_user
from claimory.messaging.services import (
    conversation_assign,
    conversation_mark_done,
    conversation_mark_read,
    message_reply,
)


def _fetch(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _return(request: HttpRequest) -> tuple[str, str]:
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return "claim", "waiting"
    tab = form.cleaned_data["tab"]
    return form.cleaned_data["back"] or "claim", tab if tab in INBOX_TABS else "waiting"


def _back(request: HttpRequest, claim: Claim) -> HttpResponse:
    back, tab = _return(request)
    if back == "inbox":
        return redirect(f"{reverse('backoffice:inbox')}?tab={tab}")
    return redirect(reverse("backoffice:claim", args=[claim.pk]) + "#thread")


def _failed(request: HttpRequest, claim: Claim, error: str) -> HttpResponse:
    if _fetch(request):
        return JsonResponse({"error": error}, status=400)
    back, tab = _return(request)
    if back == "inbox":
        return inbox_page(request, tab, errors={claim.pk: error}, status=400)
    return claim_page(request, claim, thread_error=error, status=400)


@staff_view
@require_POST
def thread_reply(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "message.send")
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            message_reply(claim=claim, body=form.cleaned_data["body"], actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if _fetch(request):
                return render(request, "backoffice/_thread_live.html",
                              {"claim": claim, "thread": staff_thread(claim)}, status=201)
            return redirect(reverse("backoffice:claim", args=[claim.pk]) + "#thread")
    if _fetch(request):
        return JsonResponse({"error": " ".join(form.errors.get("body") or
                                               form.non_field_errors())}, status=400)
    return claim_page(request, claim, reply_form=form, status=400)


@staff_view
@require_POST
def thread_read(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Posted by the claim page's script once the thread is on screen."""
    claim = claim_get_for_user(request.user, claim_id, "inbox.triage")
    conversation_mark_read(claim=claim, actor=request.user)
    return HttpResponse(status=204)


@staff_view
@require_POST
def thread_done(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "inbox.triage")
    conversation_mark_done(claim=claim, actor=request.user)
    messages.success(request, f"Thread with {claim.customer.name} marked done.")
    return _back(request, claim)


@staff_view
@require_POST
def thread_assign(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id, "inbox.assign")
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _failed(request, claim, "Choose a teammate from the list.")
    chosen = form.cleaned_data["assignee"]
    assignee = teammate_get(request.membership, chosen) if chosen else None
    if chosen and assignee is None:
        return _failed(request, claim, "Choose a teammate from the list.")
    try:
        conversation_assign(claim=claim, assignee=assignee, actor=request.user)
    except ValidationError as exc:
        return _failed(request, claim, " ".join(exc.messages))
    who = (assignee.get_full_name() or assignee.email) if assignee else ""
    messages.success(request, f"{claim.customer.name}'s thread assigned to {who}." if who
                     else f"{claim.customer.name}'s thread is unassigned.")
    return _back(request, claim)
