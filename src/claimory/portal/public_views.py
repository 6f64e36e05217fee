"""Public, unauthenticated shop pages: /p/<slug> and the shop's brand stylesheet."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from claimory.core.clients import request_client_ip
from claimory.portal.brand import brand_css
from claimory.portal.origin import is_cross_site
from claimory.portal.selectors import location_get_public
from claimory.portal.shop import shop_card
from claimory.portal.track import link_request_receive, track_clean, track_retry_after
from claimory.shops.models import Location
from claimory.shops.services import location_timezone
from claimory.shops.slugs import location_for_old_slug

LANGUAGES = dict(settings.LANGUAGES)


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return translation.get_language() if translation.get_language() in LANGUAGES else "en"


def _page(request: HttpRequest, location: Location, *, status: int = 200,
          track: dict | None = None) -> HttpResponse:
    language = _language(request)
    other = next(code for code in LANGUAGES if code != language)
    with translation.override(language), timezone.override(location_timezone(location)):
        html = render_to_string("portal/shop.html", {
            "shop": shop_card(location),
            "language": language,
            "switch_language": {"code": other, "label": LANGUAGES[other]},
            "track": track or {},
        }, request)
    response = HttpResponse(html, status=status)
    response["Content-Language"] = language
    return response


@require_safe
def shop(request: HttpRequest, slug: str) -> HttpResponse:
    location = location_get_public(slug)
    if location is None:
        moved = location_for_old_slug(slug)
        if moved is not None:  # the shop changed its address: flyers and links still work
            query = f"?{request.GET.urlencode()}" if request.GET else ""
            return HttpResponsePermanentRedirect(
                reverse("public:shop", args=[moved.slug]) + query)
        return render(request, "portal/shop_not_found.html", status=404)
    if request.GET.get("track") == "sent":
        return _page(request, location, track={"sent": True})
    return _page(request, location)


@csrf_exempt  # no cookie, no session: refused when another site sends it (portal.origin)
@require_POST
def track(request: HttpRequest, slug: str) -> HttpResponse:
    """"Track your repair": store the request for the worker and answer the same words
    whatever was typed (portal/track.py); the link goes to the phone on file, never here."""
    location = location_get_public(slug)
    if location is None:
        return render(request, "portal/shop_not_found.html", status=404)
    if is_cross_site(request):
        return HttpResponse(status=403)
    with translation.override(_language(request)):
        typed = {"reference": request.POST.get("reference", "")[:60],
                 "phone": request.POST.get("phone", "")[:40]}
        try:
            reference, phone = track_clean(location, typed["reference"], typed["phone"])
        except ValidationError as exc:
            return _page(request, location, status=400,
                         track={**typed, "errors": exc.message_dict})
        wait = track_retry_after(location, request_client_ip(request), phone)
        if wait is not None:
            response = _page(request, location, status=429,
                             track={**typed, "wait": math.ceil(wait / 60)})
            response["Retry-After"] = str(wait)
            return response
    link_request_receive(location=location, reference=reference, phone=phone)
    query = "?track=sent" + (f"&lang={request.GET['lang']}" if request.GET.get("lang")
                             in LANGUAGES else "")
    # 303: a reload shows the answer again without sending another request.
    return HttpResponseRedirect(f"{reverse('public:shop', args=[location.slug])}{query}#track",
                                status=303)


@require_safe
def brand_stylesheet(request: HttpRequest, slug: str) -> HttpResponse:
    """The shop's colours as CSS variables (branding plans only; 404 otherwise)."""
    location = location_get_public(slug)
    if location is None or not location.workspace.has_branding:
        return HttpResponse("/* no brand */\n", status=404, content_type="text/css")
    response = HttpResponse(brand_css(location.brand_color), content_type="text/css")
    # The link carries ?v=<updated_at>, so a long cache never shows a stale colour.
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def logo(request: HttpRequest, slug: str) -> HttpResponse:
    """The shop's cleaned logo (branding plans only). The URL carries the file's version, so
    it is cached for good."""
    location = location_get_public(slug)
    if location is None or not location.logo or not location.workspace.has_branding:
        raise Http404("No logo")
    try:
        handle = location.logo.open("rb")
    except FileNotFoundError:
        raise Http404("No logo") from None
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
