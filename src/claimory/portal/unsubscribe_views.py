"""/u/<token>: stop (or restart) a customer's emails from one shop, from a link in the email.

The signed token is the only credential (mail/unsubscribe.py), so like the portal's token
endpoints there is no CSRF cookie, and a bad token gets the portal's one 404 and counts
towards the same per-client limit. A GET only asks — mail scanners open links — and a POST
does it: the page's button, or a mail app's RFC 8058 one-click POST
(``List-Unsubscribe=One-Click``), which comes from the mail provider's servers.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from claimory.core import ratelimit
from claimory.core.clients import request_client_ip
from claimory.core.middleware import PORTAL_CSP
from claimory.mail.unsubscribe import (
    LINK,
    ONE_CLICK,
    customer_for_unsubscribe_token,
    email_consent_set,
)
from claimory.portal.origin import is_cross_site
from claimory.portal.page import language_choice
from claimory.portal.shop import shop_card
from claimory.portal.views import not_found, too_many

ACTIONS = {"stop": False, "start": True}


def _private(response: HttpResponse) -> HttpResponse:
    """The headers /c/ pages get (core/middleware.py): the path holds a credential."""
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Security-Policy"] = PORTAL_CSP
    return response


def _masked(address: str) -> str:
    """m•••@example.com: enough for the customer to know which inbox, not a gift to whoever
    a forwarded email reaches."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else ""


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks; POST stops emails (one-click or the form's "stop") or starts them again."""
    wait = ratelimit.token_miss_wait(request_client_ip(request))
    if wait is not None:
        return _private(too_many(request, wait))
    customer = customer_for_unsubscribe_token(token)
    if customer is None:
        return _private(not_found(request))
    language = language_choice(request.GET, customer.language)
    status, done = 200, request.GET.get("done", "")
    if request.method == "POST":
        action = request.POST.get("action", "")
        if request.POST.get("List-Unsubscribe") == "One-Click":
            email_consent_set(customer=customer, opted_in=False, method=ONE_CLICK)
            done = "stop"
        elif is_cross_site(request):
            return _private(HttpResponseForbidden(
                "Refused: this form can only be sent from its own page.\n",
                content_type="text/plain; charset=utf-8"))
        elif action in ACTIONS:
            email_consent_set(customer=customer, opted_in=ACTIONS[action], method=LINK)
            # 303: the browser shows the result with a GET, so a reload sends nothing.
            query = urlencode({"lang": language, "done": action})
            return _private(HttpResponseRedirect(f"{request.path}?{query}", status=303))
        else:
            status = 400
    other = next(code for code, _name in settings.LANGUAGES if code != language)
    with translation.override(language):
        response = render(request, "portal/unsubscribe.html", {
            "shop": shop_card(customer.location), "compact": True,
            "subscribed": customer.email_opt_in, "email": _masked(customer.email),
            "done": done, "bad_request": status == 400,
            "form_action": f"{request.path}?{urlencode({'lang': language})}",
            "switch_language": {"code": other, "label": dict(settings.LANGUAGES)[other]},
        }, status=status)
    response["Content-Language"] = language
    return _private(response)
