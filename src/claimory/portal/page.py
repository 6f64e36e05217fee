"""The portal page's context and its named fragments, shared by the full page and live updates.

Everything a portal template shows comes from two allow-lists: the claim through
``customer_claim_view`` and the shop through ``shop_card``. The same context renders the
whole page and each fragment, so a live swap always matches a fresh page load.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from claimory.claims.customer_view import customer_claim_view
from claimory.claims.models import Claim
from claimory.claims.services import location_today
from claimory.portal.shop import shop_card
from claimory.shops.services import location_timezone

# Fragment name -> template. Each template's outer element has id="<name>".
FRAGMENTS: dict[str, str] = {
    "header": "portal/_header.html",
    "vehicle": "portal/_vehicle.html",
    "eta": "portal/_eta.html",
    "stages": "portal/_stages.html",
    "money": "portal/_money.html",
    "contact": "portal/_contact.html",
    "hours": "portal/_hours.html",
}

# Which fragments a customer-visible event of each type changes (for the live-update script).
FRAGMENTS_FOR_EVENT: dict[str, tuple[str, ...]] = {
    "created": ("vehicle", "eta", "stages"),
    "stage": ("vehicle", "stages", "eta"),
    "eta": ("eta",),
    "visibility": ("money",),
    "claim": ("vehicle", "money"),
}

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def portal_language(request: HttpRequest, claim: Claim) -> str:
    """``?lang=`` for this request if valid, else the customer's language. Nothing is saved."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return claim.customer.language if claim.customer.language in LANGUAGES else "en"


def portal_context(claim: Claim, *, language: str) -> dict:
    """Template context for the page and every fragment (3 queries, see tests)."""
    # customer_claim_view takes the language from the customer; the ?lang= switch applies
    # to this render only, on the in-memory row (never saved).
    claim.customer.language = language
    view = customer_claim_view(claim, today=location_today(claim.location))
    other = next(code for code in LANGUAGES if code != language)
    return {
        "view": view,
        "shop": shop_card(claim.location),
        "language": language,
        "switch_language": {"code": other, "label": dict(settings.LANGUAGES)[other]},
    }


def render_portal(template: str, claim: Claim, *, language: str,
                  request: HttpRequest | None = None) -> str:
    """Render a portal template in the customer's language and the shop's time zone."""
    with translation.override(language), timezone.override(location_timezone(claim.location)):
        return render_to_string(template, portal_context(claim, language=language), request)


def render_fragment(request: HttpRequest | None, claim: Claim, name: str, *,
                    language: str | None = None) -> str:
    """The HTML of one named fragment (KeyError for unknown names)."""
    template = FRAGMENTS[name]
    return render_portal(template, claim, language=language or claim.customer.language or "en",
                         request=request)
