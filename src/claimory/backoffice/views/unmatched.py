"""Unmatched texts: inbound texts no single open claim could take, waiting in the inbox until
someone with inbox rights picks their claim."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claimory.backoffice.access import permission_view
from claimory.claims.selectors import claim_get_for_user, claim_search, claims_for_user
from claimory.photos.serving import file_response
from claimory.sms.inbound import unmatched_attach, unmatched_dismiss
from claimory.sms.models import UnmatchedText
from claimory.sms.selectors import unmatched_get_for_user

SEARCH_LIMIT = 20


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)


class AttachForm(forms.Form):
    claim = forms.IntegerField(min_value=1, error_messages={"required": "Pick a claim."})


def _choices(request: HttpRequest, row: UnmatchedText, query: str) -> list:
    claims = claims_for_user(request.user).filter(location=row.location_id)
    if query:
        return list(claim_search(claims, query).order_by("-updated_at", "-id")[:SEARCH_LIMIT])
    return list(claims.filter(pk__in=row.candidates).order_by("-updated_at", "-id"))


def unmatched_page(request: HttpRequest, row: UnmatchedText, *, error: str = "",
                   status: int = 200) -> HttpResponse:
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    return render(request, "backoffice/unmatched.html", {
        "row": row, "query": query, "claims": _choices(request, row, query),
        "media": list(enumerate(row.media)), "error": error,
    }, status=status)


@permission_view("inbox.triage")
@require_GET
def unmatched_detail(request: HttpRequest, unmatched_id: int) -> HttpResponse:
    return unmatched_page(request, unmatched_get_for_user(request.user, unmatched_id))


@permission_view("inbox.triage")
@require_POST
def unmatched_attach_view(request: HttpRequest, unmatched_id: int) -> HttpResponse:
    row = unmatched_get_for_user(request.user, unmatched_id)
    form = AttachForm(request.POST)
    if not form.is_valid():
        return unmatched_page(request, row, error="Pick a claim.", status=400)
    claim = claim_get_for_user(request.user, form.cleaned_data["claim"], "inbox.triage")
    try:
        unmatched_attach(unmatched=row, claim=claim, actor=request.user)
    except ValidationError as exc:
        return unmatched_page(request, row, error=" ".join(exc.messages), status=400)
    messages.success(request, f"Text from {row.from_number} filed on {claim} "
                              f"({claim.customer.name}).")
    return redirect(reverse("backoffice:claim", args=[claim.pk]) + "#thread")


@permission_view("inbox.triage")
@require_POST
def unmatched_dismiss_view(request: HttpRequest, unmatched_id: int) -> HttpResponse:
    row = unmatched_get_for_user(request.user, unmatched_id)
    unmatched_dismiss(unmatched=row, actor=request.user)
    messages.success(request, f"Text from {row.from_number} set aside.")
    return redirect(reverse("backoffice:inbox"))


@permission_view("inbox.triage")
@require_GET
def unmatched_media(request: HttpRequest, unmatched_id: int, index: int,
                    thumb: bool = False) -> HttpResponse:
    row = unmatched_get_for_user(request.user, unmatched_id)
    if index >= len(row.media):
        raise Http404("No such attachment")
    item = row.media[index]
    return file_response(item.get("thumb_path") if thumb else item.get("path"))
