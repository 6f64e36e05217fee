"""Staff print views: work order, hang tag, drop-off card (HTML and PDF) and the QR image.

Every view gates through ``claim_get_for_user`` (404 for any claim outside the user's
locations) and only reads. Responses carry the customer's capability link, so none of
them may be cached.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from claimory.claims.selectors import claim_get_for_user
from claimory.printables.pdf import render_pdf
from claimory.printables.qr import qr_svg as make_qr_svg
from claimory.printables.selectors import Printable, printable_for_claim
from claimory.printables.wording import AUTHORIZATION_TEXT, WORDS, YOUR_REPAIR_AT
from claimory.shops.onboarding import printed

# URL kind -> the sheets its page shows; "all" prints the set in one job.
SHEETS = {
    "work-order": ["work_order"],
    "hang-tag": ["hang_tag"],
    "card": ["card"],
    "all": ["work_order", "hang_tag", "card"],
}
TITLES = {"work-order": WORDS["work_order"], "hang-tag": WORDS["hang_tag"],
          "card": WORDS["card"], "all": pgettext_lazy("print", "Print set")}
PDF_URL_NAMES = {"work-order": "printables:work_order_pdf", "hang-tag": "printables:hang_tag_pdf",
                 "card": "printables:card_pdf", "all": "printables:all_pdf"}


def _claim_page_url(claim_id: int) -> str | None:
    # The back office owns the claim page; printing must not break while it is absent.
    try:
        return reverse("backoffice:claim", args=[claim_id])
    except NoReverseMatch:
        return None


def _sheet_context(p: Printable) -> dict:
    """What the sheet templates need, resolved in the customer's language."""
    with translation.override(p.language):
        qr = make_qr_svg(p.portal_url, title=str(WORDS["qr_title"]), fluid=True) \
            if p.portal_url else ""
        return {
            "qr_svg": qr,
            "authorization": AUTHORIZATION_TEXT % {"shop": p.shop.name},
            "your_repair_at": YOUR_REPAIR_AT % {"shop": p.shop.name},
        }


@login_required
@require_GET
def sheet(request: HttpRequest, claim_id: int, kind: str) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id)
    p = printable_for_claim(claim)
    printed(claim.location.workspace_id)  # onboarding's "print its QR" step
    context = {
        "p": p, "w": WORDS, "kind": kind, "sheets": SHEETS[kind], "title": TITLES[kind],
        "pdf_url": reverse(PDF_URL_NAMES[kind], args=[claim.pk]),
        "claim_url": _claim_page_url(claim.pk),
        "autoprint": request.GET.get("print") == "1",
        **_sheet_context(p),
    }
    response = render(request, "printables/sheet.html", context)
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def sheet_pdf(request: HttpRequest, claim_id: int, kind: str) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id)
    p = printable_for_claim(claim)
    printed(claim.location.workspace_id)
    response = HttpResponse(render_pdf(p, kind), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{p.filename_stem}-{kind}.pdf")
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def qr_svg(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id)
    p = printable_for_claim(claim)
    if not p.portal_url:
        raise Http404("This claim's customer link is turned off")
    with translation.override(p.language):
        svg = make_qr_svg(p.portal_url, scale=8, title=str(WORDS["qr_title"]))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{p.filename_stem}-qr.svg")
    add_never_cache_headers(response)
    return response
