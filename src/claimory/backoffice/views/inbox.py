"""The inbox: threads waiting for the shop, with the nav badge that counts them."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from claimory.backoffice.access import staff_view
from claimory.backoffice.selectors import INBOX_TABS, inbox_rows, teammates_by_location
from claimory.mail.selectors import kept_out_mail_for_user, unmatched_mail_for_user
from claimory.messaging.selectors import inbox_counts
from claimory.shops.selectors import locations_for_user
from claimory.sms.selectors import unmatched_for_user

PAGE_SIZE = 50
UNMATCHED_SHOWN = 50


@staff_view
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return inbox_page(request, request.GET.get("tab", "waiting"))


def inbox_page(request: HttpRequest, tab: str, *, errors: dict[int, str] | None = None,
               status: int = 200) -> HttpResponse:
    """The inbox tab; ``?fragment=list`` renders only the list (the page's live refresh)."""
    tab = tab if tab in INBOX_TABS else "waiting"
    locations = list(locations_for_user(request.user))
    page = Paginator(inbox_rows(request.user, tab), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tab": tab, "tabs": INBOX_TABS, "page": page, "errors": errors or {},
        "teammates": teammates_by_location(request.membership, locations),
        "show_location": len(locations) > 1,
    }
    fragment = request.GET.get("fragment") == "list"
    if not fragment and request.can.has("inbox.triage"):
        context["unmatched"] = list(unmatched_for_user(request.user)[:UNMATCHED_SHOWN])
        context["unmatched_mail"] = list(unmatched_mail_for_user(request.user)
                                         [:UNMATCHED_SHOWN])
        context["kept_out_mail"] = list(kept_out_mail_for_user(request.user)[:UNMATCHED_SHOWN])
    template = "backoffice/_inbox_list.html" if fragment else "backoffice/inbox.html"
    return render(request, template, context, status=status)


@staff_view
@require_GET
def inbox_badge(request: HttpRequest) -> HttpResponse:
    """The nav's count, re-fetched by live.js when a thread changes."""
    return render(request, "backoffice/_inbox_badge.html",
                  {"counts": inbox_counts(request.user)})
