"""The portal page's context and its named fragments, shared by the full page and live updates.

Everything a portal template shows comes from allow-lists: the claim through
``customer_claim_view``, the shop through ``shop_card`` and the messages through
``PortalThread``. The same context renders the
whole page and each fragment, so a live swap always matches a fresh page load.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode

from claimory.claims.customer_view import customer_claim_view
from claimory.claims.event_types import portal_fragments_by_type
from claimory.claims.models import Claim
from claimory.claims.services import location_today
from claimory.esign.selectors import portal_documents
from claimory.photos.models import CUSTOMER_KINDS
from claimory.portal.gallery import PortalPhotos
from claimory.portal.shop import shop_card
from claimory.portal.survey_form import survey_questions
from claimory.portal.thread import PortalThread
from claimory.portal.upload_limit import MAX_FILES_PER_POST
from claimory.shops.services import location_timezone
from claimory.survey.services import survey_offer

# Fragment name -> template. Each template's outer element has id="<name>".
FRAGMENTS: dict[str, str] = {
    "header": "portal/_header.html",
    "documents": "portal/_documents.html",
    "vehicle": "portal/_vehicle.html",
    "eta": "portal/_eta.html",
    "stages": "portal/_stages.html",
    "money": "portal/_money.html",
    "photos": "portal/_photos.html",
    "uploads": "portal/_uploads.html",
    "contact": "portal/_contact.html",
    "hours": "portal/_hours.html",
    "thread": "portal/_thread.html",
    "survey": "portal/_survey.html",
}

# Which fragments a customer-visible event of each type changes, from each type's definition
# (claims/event_types.py).
FRAGMENTS_FOR_EVENT: dict[str, tuple[str, ...]] = portal_fragments_by_type()

# The same map, for live.js (a data attribute on the page, so the script has no list of its own).
FRAGMENTS_FOR_EVENT_JSON = json.dumps(FRAGMENTS_FOR_EVENT, separators=(",", ":"))

# The upload form's choices, in the order a customer is most often asked for them.
UPLOAD_KINDS = tuple((kind.value, kind.label) for kind in CUSTOMER_KINDS)

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def language_choice(query: QueryDict, customer_language: str) -> str:
    """``?lang=`` for this request if valid, else the customer's language. Nothing is saved."""
    asked = query.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return customer_language if customer_language in LANGUAGES else "en"


def portal_language(request: HttpRequest, claim: Claim) -> str:
    return language_choice(request.GET, claim.customer.language)


def show_all_in(query: QueryDict) -> bool:
    """``?thread=all`` lists every message instead of the newest page."""
    return query.get("thread") == "all"


def thread_show_all(request: HttpRequest | None) -> bool:
    return request is not None and show_all_in(request.GET)


def portal_context(claim: Claim, *, language: str, show_all: bool = False) -> dict:
    """Template context for the page and every fragment (3 queries, +1 where the thread shows)."""
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
        # Lazy: only the page and the thread fragment query the messages.
        "thread": PortalThread(claim, show_all=show_all),
        "fragments_json": FRAGMENTS_FOR_EVENT_JSON,
        # Lazy: one query, only where the documents section renders.
        "documents": SimpleLazyObject(lambda: portal_documents(claim.pk)),
        # Lazy too: only the photos and uploads sections query the claim's photos.
        "photos": PortalPhotos(claim.pk, {step.slug: step.name for step in view.steps}),
        "upload_kinds": UPLOAD_KINDS,
        "upload_max_files": MAX_FILES_PER_POST,
        # Lazy: one query, only once the car is delivered (the post-repair survey).
        "survey": SimpleLazyObject(lambda: survey_offer(claim)),
        "survey_questions": survey_questions(),
        # Lazy: one query, only where the appointments section renders.
        "appointments": SimpleLazyObject(lambda: _appointments(claim)),
    }


def _appointments(claim: Claim):
    from claimory.appointments.selectors import portal_appointments  # builds on the portal

    return portal_appointments(claim)


def portal_links(request: HttpRequest | None, portal_path: str, language: str) -> dict:
    """Form action and thread links, keeping an explicit ``?lang=`` choice across posts."""
    explicit = request is not None and request.GET.get("lang") in LANGUAGES
    lang = {"lang": language} if explicit else {}

    def url(path: str, **query: str) -> str:
        merged = {**lang, **query}
        return f"{path}?{urlencode(merged)}" if merged else path

    return {
        "messages": url(f"{portal_path}/messages"),
        "thread_all": url(portal_path, thread="all") + "#messages",
        "uploads": url(f"{portal_path}/uploads"),
        "survey": url(f"{portal_path}/survey"),
    }


def render_portal(template: str, claim: Claim, *, language: str,
                  request: HttpRequest | None = None, extra: dict | None = None) -> str:
    """Render a portal template in the customer's language and the shop's time zone."""
    with translation.override(language), timezone.override(location_timezone(claim.location)):
        # Built inside the override: shop hours and stage names are translated as they load.
        context = portal_context(claim, language=language, show_all=thread_show_all(request))
        context.update(extra or {})
        if "portal_path" in context:
            context["links"] = portal_links(request, context["portal_path"], language)
        return render_to_string(template, context, request)


def render_fragment(request: HttpRequest | None, claim: Claim, name: str, *,
                    language: str | None = None, extra: dict | None = None) -> str:
    """The HTML of one named fragment (KeyError for unknown names)."""
    template = FRAGMENTS[name]
    return render_portal(template, claim, language=language or claim.customer.language or "en",
                         request=request, extra=extra)
