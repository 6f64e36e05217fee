"""Customer portal views: the page at /c/<token>, its live fragments, and the uniform 404.

The customer's writes (messages, "seen") live in ``message_views``.

The token is the only credential. Every view goes through ``gate``: rate limit first, then
``claim_get_for_token``; any miss gets the same 404 page whatever the reason. The page itself
checks the token with ``access_gate`` (the same checks in one narrow query) and loads the
claim only when ``page_cache`` has no current render of it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from claimory.claims.models import Claim
from claimory.claims.selectors import PortalAccess, claim_get_for_token, portal_access_for_token
from claimory.core import ratelimit
from claimory.core.clients import request_client_ip
from claimory.portal import page_cache
from claimory.portal.page import FRAGMENTS, portal_language, render_fragment, render_portal
from claimory.reports import portal_counter

__all__ = ["fragment", "gate", "not_found", "page", "page_response", "portal_path",
           "render_fragment"]


def not_found(request: HttpRequest, *, count: bool = True) -> HttpResponse:
    """The one 404 page of /c/: names no shop, because we do not know which one it is."""
    if count:
        ratelimit.token_miss_record(request_client_ip(request))
    return render(request, "portal/not_found.html", status=404)


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(request, "portal/too_many.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _refused(request: HttpRequest) -> HttpResponse | None:
    wait = ratelimit.token_miss_wait(request_client_ip(request))
    return None if wait is None else too_many(request, wait)


def gate(request: HttpRequest, token: str) -> Claim | HttpResponse:
    """The claim this token opens, or the response to send instead (429 or uniform 404).

    Other token endpoints (event stream, messages) use this too, so guesses against them
    are counted and answered the same way.
    """
    refused = _refused(request)
    if refused is not None:
        return refused
    claim = claim_get_for_token(token)
    if claim is None:
        return not_found(request)
    return claim


def access_gate(request: HttpRequest, token: str) -> PortalAccess | HttpResponse:
    """``gate`` without loading the claim: the same checks, rate limit and uniform 404."""
    refused = _refused(request)
    if refused is not None:
        return refused
    access = portal_access_for_token(token)
    if access is None:
        return not_found(request)
    return access


@require_safe
def no_token(request: HttpRequest) -> HttpResponse:
    return not_found(request)


def portal_path(token: str) -> str:
    """The page's own path; templates build every portal link and form action from it."""
    return reverse("portal:page", args=[token])


def page_response(request: HttpRequest, claim: Claim, token: str, *, language: str,
                  status: int = 200, extra: dict | None = None) -> HttpResponse:
    """The full portal page (also re-rendered with a message error, status 400/429)."""
    context = {"portal_path": portal_path(token), **(extra or {})}
    html = render_portal("portal/page.html", claim, language=language, request=request,
                         extra=context)
    return html_response(html, language=language, status=status)


def html_response(html: str | bytes, *, language: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(html, status=status)
    response["Content-Language"] = language
    return response


@require_safe
def page(request: HttpRequest, token: str) -> HttpResponse:
    access = access_gate(request, token)
    if isinstance(access, HttpResponse):
        return access
    # The "message sent" and "files sent" notes depend on the moment: never cached.
    sent_note = "sent" in request.GET
    uploaded_note = "uploaded" in request.GET
    cached = None if sent_note or uploaded_note else page_cache.lookup(request.GET, access)
    if request.method == "GET":
        portal_counter.record(access.claim_id)  # in memory; written in batches (reports)
    if cached is not None and cached.entry is not None:
        return html_response(cached.entry.body, language=cached.language)
    claim = claim_get_for_token(token)  # the full rows, only when there is a page to render
    if claim is None:
        return not_found(request)
    language = cached.language if cached else portal_language(request, claim)
    # ?sent=signature: back from signing a document (shares "sent": never cached).
    signed_note = request.GET.get("sent") == "signature"
    response = page_response(request, claim, token, language=language,
                             extra={"sent_note": sent_note and not signed_note,
                                    "signed_note": signed_note, "uploaded_note": uploaded_note})
    if cached is not None:
        cached.store(response.content)
    return response


@require_safe
def fragment(request: HttpRequest, token: str, name: str) -> HttpResponse:
    """One section of the page as HTML, for the live-update script to swap in."""
    claim = gate(request, token)
    if isinstance(claim, HttpResponse):
        return claim
    if name not in FRAGMENTS:
        return not_found(request, count=False)
    language = portal_language(request, claim)
    response = HttpResponse(render_fragment(request, claim, name, language=language,
                                            extra={"portal_path": portal_path(token)}))
    response["Content-Language"] = language
    # The claim's event seq this render includes: live.js ignores a fragment older than the
    # one on screen and refetches one older than the event that asked for it.
    response["X-Claimory-Seq"] = str(claim.event_seq)
    return response
