"""The customer's writes on the portal: a message to the shop, and "I have seen your replies".

Both answer a plain form post (no JS: redirect back, or the page again with the error) and a
JSON fetch from live.js. Order of checks: another site's request is refused before the token
is even looked up; then the usual portal gate (429 / uniform 404); then the form.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from claimory.claims.models import Channel, Claim
from claimory.messaging.services import message_customer_seen, message_receive
from claimory.portal import message_limit
from claimory.portal.forms import MessageForm
from claimory.portal.origin import is_cross_site
from claimory.portal.page import portal_language, render_fragment
from claimory.portal.views import gate, page_response, portal_path

MAX_ID = 2**62


class BadPayload(ValueError):
    pass


def _is_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json"


def _wants_json(request: HttpRequest) -> bool:
    return _is_json(request) or "application/json" in request.headers.get("Accept", "")


def _is_text(value: Any) -> bool:
    """False for a str no database can store: a lone surrogate (JSON "\\ud800")."""
    if not isinstance(value, str):
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _payload(request: HttpRequest) -> Any:
    if not _is_json(request):
        return request.POST
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadPayload from exc
    if not isinstance(data, dict):
        raise BadPayload
    if not all(_is_text(key) and _is_text(value) for key, value in data.items()):
        raise BadPayload(_("The message contains characters that are not text. "
                           "Please retype it."))
    return data


def _refused() -> HttpResponse:
    return HttpResponseForbidden(
        "Refused: messages can only be sent from the repair page itself.\n",
        content_type="text/plain; charset=utf-8")


def _error(request: HttpRequest, claim: Claim, token: str, *, language: str, body: str,
           error: str, status: int, wait: int | None = None) -> HttpResponse:
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"error": error, "retry_after": wait},
                                              status=status)
    else:
        response = page_response(request, claim, token, language=language, status=status,
                                 extra={"message_body": body, "message_error": error})
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


def _sent(request: HttpRequest, claim: Claim, token: str, language: str,
          message_id: int) -> HttpResponse:
    if _wants_json(request):
        thread = render_fragment(request, claim, "thread", language=language,
                                 extra={"portal_path": portal_path(token)})
        return JsonResponse({"id": message_id, "status": "sent", "thread": thread}, status=201)
    query = {"lang": request.GET["lang"]} if "lang" in request.GET else {}
    query["sent"] = "1"
    # 303: the browser follows with a GET, so a reload never re-sends the message.
    return HttpResponseRedirect(f"{portal_path(token)}?{urlencode(query)}#messages", status=303)


def _problem(claim: Claim, form: MessageForm) -> tuple[str, int, int | None] | None:
    """Why this message cannot be taken now: (error, status, retry-after seconds), or None."""
    wait = message_limit.retry_after(claim.pk)
    if wait is not None:
        return _("You've sent several messages in a row. Please wait a few minutes, or call "
                 "us if it's urgent."), 429, wait
    if not form.is_valid():
        return " ".join(form.errors["body"]), 400, None
    return None


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def messages(request: HttpRequest, token: str) -> HttpResponse:
    """POST: the customer's message. GET (a reload of an error page): back to the thread."""
    if request.method != "POST":
        return redirect(f"{portal_path(token)}#messages")
    if is_cross_site(request):
        return _refused()
    claim = gate(request, token)
    if isinstance(claim, HttpResponse):
        return claim
    language = portal_language(request, claim)
    with translation.override(language):
        try:
            form = MessageForm(data=_payload(request))
        except BadPayload as exc:
            error = str(exc) or _('Send JSON like {"body": "your message"}.')
            return JsonResponse({"error": error}, status=400)
        raw = form.data.get("body")
        kept = raw if isinstance(raw, str) else ""
        problem = _problem(claim, form)
        if problem is None:
            try:
                message = message_receive(claim=claim, body=form.cleaned_data["body"],
                                          channel=Channel.PORTAL)
            except ValidationError as exc:  # e.g. only control characters were typed
                problem = " ".join(exc.messages), 400, None
        if problem is not None:
            error, status, wait = problem
            return _error(request, claim, token, language=language, body=kept, error=error,
                          status=status, wait=wait)
    message_limit.message_count(claim.pk)
    return _sent(request, claim, token, language, message.pk)


@csrf_exempt
@require_POST
def seen(request: HttpRequest, token: str) -> HttpResponse:
    """The portal showed the shop's messages up to ``message_id``: mark them seen."""
    if is_cross_site(request):
        return _refused()
    claim = gate(request, token)
    if isinstance(claim, HttpResponse):
        return claim
    try:
        up_to = int(str(_payload(request).get("message_id", "")).strip())
    except (BadPayload, ValueError):
        up_to = 0
    if not 0 < up_to < MAX_ID:
        return JsonResponse({"error": "message_id must be a positive whole number."},
                            status=400)
    return JsonResponse({"seen": message_customer_seen(claim=claim, up_to_message_id=up_to)})

