"""Signing from the portal: read a document, consent once, sign (drawn or typed), download.

The token is the credential, as everywhere under /c/: every view goes through ``gate``
(rate limit, uniform 404) and reaches a document only through the token's claim, so another
claim's document id answers the same 404. Writes carry no CSRF cookie; another site's
request is refused first (``origin.is_cross_site``), then each write counts against a
per-claim window. The rules of a valid signature live in ``esign.services``; a refusal
re-renders the page with its reason (4xx), success goes back to the portal (303).

This page is never cached: the customer must always see the document's current state.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from claimory.claims.models import Claim
from claimory.core.clients import request_client_ip
from claimory.core.phones import display_phone
from claimory.core.rate_window import FixedWindow
from claimory.esign import services, wording
from claimory.esign.code_text import otp_send
from claimory.esign.models import Document, Method, Status
from claimory.esign.selectors import portal_document
from claimory.esign.services import RequestMeta, SignRefused
from claimory.photos.serving import file_response
from claimory.portal.origin import is_cross_site
from claimory.portal.page import LANGUAGES, portal_language, render_portal
from claimory.portal.views import gate, html_response, not_found, portal_path, too_many

# Writes per claim per window: generous for a person, tight for a script or a stuck button.
WINDOW_SECONDS = 600
LIMITS = {"sign": 20, "consent": 10, "code": 3}
_WINDOWS = {name: FixedWindow(f"esign{name}", WINDOW_SECONDS) for name in LIMITS}
DATA_URL = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")
MAX_DATA_URL = services.MAX_SIGNATURE_BYTES * 4 // 3 + 64
# Refusals about the document itself (it moved on) rather than what the customer typed.
CONFLICTS = {"void", "changed", "signed"}


def _meta(request: HttpRequest, claim: Claim) -> RequestMeta:
    """Who signs, as the request shows it: for the audit trail."""
    ip: str | None = request_client_ip(request)
    try:
        ipaddress.ip_address(ip or "")
    except ValueError:
        ip = None  # "unknown": the field stores addresses only
    return RequestMeta.for_token(ip, request.headers.get("User-Agent", ""),
                                 claim.portal_token_hash)


def _document(request: HttpRequest, token: str,
              document_id: int) -> tuple[Claim, Document] | HttpResponse:
    claim = gate(request, token)
    if isinstance(claim, HttpResponse):
        return claim
    document = portal_document(claim.pk, document_id)
    if document is None:
        return not_found(request, count=False)
    return claim, document


def _lang_query(request: HttpRequest, **more: str) -> str:
    query = {"lang": request.GET["lang"]} if request.GET.get("lang") in LANGUAGES else {}
    query.update(more)
    return f"?{urlencode(query)}" if query else ""


def document_path(token: str, document: Document) -> str:
    return f"{portal_path(token)}/documents/{document.pk}"


def _disclosure(claim: Claim, language: str) -> list[tuple[str, str]]:
    """The ESIGN disclosure in the reader's language (its recorded hash is of the English
    text, ``services.disclosure_for``), with the shop's phone as people write it."""
    values = {**services.claim_values(claim), "shop_phone": display_phone(claim.location.phone)}
    with translation.override(language):
        return [(_(heading), wording.merge(_(text), values))
                for heading, text in wording.DISCLOSURE]


def _render(request: HttpRequest, claim: Claim, document: Document, token: str, *,
            status: int = 200, error: str = "", form: dict | None = None) -> HttpResponse:
    language = portal_language(request, claim)
    consent = services.consent_current(claim)
    sections = [] if consent else _disclosure(claim, language)
    location = claim.location
    context = {
        "document": document, "portal_path": portal_path(token),
        "document_path": document_path(token, document), "lang_query": _lang_query(request),
        "consent": consent, "disclosure": sections,
        "needs_code": location.esign_sms_code and document.otp_verified_at is None,
        "code_sent_to": request.GET.get("code", "")[-4:] if request.GET.get("code", "").isdigit()
        else "",
        "error": error, "form": form or {"method": "", "name": ""},
    }
    html = render_portal("portal/document.html", claim, language=language, request=request,
                         extra=context)
    return html_response(html, language=language, status=status)


@require_safe
def document_page(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    found = _document(request, token, document_id)
    if isinstance(found, HttpResponse):
        return found
    claim, document = found
    if request.method == "GET" and document.status != Status.VOID:
        services.document_viewed(document, _meta(request, claim))
        document.refresh_from_db()
    return _render(request, claim, document, token)


def _refused_cross_site() -> HttpResponse:
    return HttpResponseForbidden(
        "Refused: documents can only be signed from the repair page itself.\n",
        content_type="text/plain; charset=utf-8")


def _write_gate(request: HttpRequest, token: str, action: str,
                document_id: int | None = None) -> tuple[Claim, Document | None] | HttpResponse:
    """Cross-site refusal, the portal gate, the document, then the per-claim write window."""
    if is_cross_site(request):
        return _refused_cross_site()
    if document_id is None:
        claim = gate(request, token)
        if isinstance(claim, HttpResponse):
            return claim
        document = None
    else:
        found = _document(request, token, document_id)
        if isinstance(found, HttpResponse):
            return found
        claim, document = found
    wait = _WINDOWS[action].take(str(claim.pk), LIMITS[action])
    if wait is not None:
        return too_many(request, wait)
    return claim, document


@csrf_exempt
@require_POST
def consent(request: HttpRequest, token: str) -> HttpResponse:
    """"I agree to sign electronically": once per claim and disclosure version."""
    passed = _write_gate(request, token, "consent")
    if isinstance(passed, HttpResponse):
        return passed
    claim, _none = passed
    services.consent_give(claim, _meta(request, claim))
    raw = request.POST.get("document", "")
    document = portal_document(claim.pk, int(raw)) if raw.isdigit() and len(raw) < 12 else None
    target = (document_path(token, document) + _lang_query(request) + "#sign" if document
              else portal_path(token) + _lang_query(request))
    return HttpResponseRedirect(target, status=303)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def send_code(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    """"Text me a code": a new one-time code to the customer's phone."""
    if request.method != "POST":  # a reload of an error page: back to the document
        return HttpResponseRedirect(f"{portal_path(token)}/documents/{document_id}")
    passed = _write_gate(request, token, "code", document_id)
    if isinstance(passed, HttpResponse):
        return passed
    claim, document = passed
    assert document is not None
    if not document.open:
        return _render(request, claim, document, token, status=409,
                       error=_("This document can no longer be signed."))
    language = portal_language(request, claim)
    try:
        with translation.override(language):
            last_four = otp_send(document, _meta(request, claim))
    except SignRefused as exc:
        return _render(request, claim, document, token, status=409, error=str(exc))
    return HttpResponseRedirect(
        document_path(token, document) + _lang_query(request, code=last_four) + "#sign",
        status=303)


def _drawing(raw: str) -> bytes:
    """The PNG behind the pad's data URL (SignRefused when it is not one)."""
    match = DATA_URL.fullmatch(raw.strip()) if len(raw) <= MAX_DATA_URL else None
    if match is None:
        raise SignRefused(_("Please draw your signature again."), "drawing")
    try:
        return base64.b64decode("".join(match.group(1).split()), validate=True)
    except (binascii.Error, ValueError):
        raise SignRefused(_("Please draw your signature again."), "drawing") from None


def _sign(document: Document, data, meta: RequestMeta, *, needs_code: bool) -> Document:
    method = data.get("method", Method.TYPED)
    drawing = _drawing(data.get("drawing", "")) if method == Method.DRAWN else None
    if needs_code and document.otp_verified_at is None and data.get("code", "").strip():
        services.otp_check(document, data["code"], meta)
    return services.document_sign(
        document, content_sha256=data.get("content_sha256", ""),
        signer_name=data.get("name", ""), method=method, agree=data.get("agree") == "yes",
        meta=meta, drawing=drawing)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def sign(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    """The signature. GET (a reload of an error page): back to the document."""
    if request.method != "POST":
        return HttpResponseRedirect(f"{portal_path(token)}/documents/{document_id}")
    passed = _write_gate(request, token, "sign", document_id)
    if isinstance(passed, HttpResponse):
        return passed
    claim, document = passed
    assert document is not None
    language = portal_language(request, claim)
    try:
        with translation.override(language):
            _sign(document, request.POST, _meta(request, claim),
                  needs_code=claim.location.esign_sms_code)
    except SignRefused as exc:
        with translation.override(language):
            message = _(str(exc))  # the services' words, in the reader's language
        document.refresh_from_db()
        form = {"method": request.POST.get("method", ""), "name": request.POST.get("name", "")}
        return _render(request, claim, document, token, error=message, form=form,
                       status=409 if exc.code in CONFLICTS else 400)
    return HttpResponseRedirect(
        portal_path(token) + _lang_query(request, sent="signature") + "#documents", status=303)


@require_safe
def signed_pdf(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    """The sealed PDF, once the worker has made it (until then the same 404)."""
    found = _document(request, token, document_id)
    if isinstance(found, HttpResponse):
        return found
    _claim, document = found
    if not document.signed_pdf:
        return not_found(request, count=False)
    name = re.sub(r"[^A-Za-z0-9]+", "-", document.title).strip("-") or "document"
    try:
        return file_response(document.signed_pdf.name, private_seconds=0,
                             download_name=f"{name}-signed.pdf")
    except Http404:
        return not_found(request, count=False)
