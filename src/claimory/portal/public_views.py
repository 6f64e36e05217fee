"""Public, unauthenticated shop pages: /p/<slug> and the shop's brand stylesheet."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from claimory.portal.brand import brand_css
from claimory.portal.selectors import location_get_public
from claimory.portal.shop import shop_card
from claimory.shops.services import location_timezone

LANGUAGES = dict(settings.LANGUAGES)


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return translation.get_language() if translation.get_language() in LANGUAGES else "en"


@require_safe
def shop(request: HttpRequest, slug: str) -> HttpResponse:
    location = location_get_public(slug)
    if location is None:
        return render(request, "portal/shop_not_found.html", status=404)
    language = _language(request)
    other = next(code for code in LANGUAGES if code != language)
    with translation.override(language), timezone.override(location_timezone(location)):
        html = render_to_string("portal/shop.html", {
            "shop": shop_card(location),
            "language": language,
            "switch_language": {"code": other, "label": LANGUAGES[other]},
        }, request)
    response = HttpResponse(html)
    response["Content-Language"] = language
    return response


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
