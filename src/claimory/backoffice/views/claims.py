"""Claim list, intake and the claim page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from claimory.backoffice.access import permission_view, staff_view
from claimory.backoffice.documents import document_rows
from claimory.backoffice.forms.claims import (
    COMMON_CARRIERS,
    ClaimFilterForm,
    IntakeForm,
    NoteForm,
    StageMoveForm,
)
from claimory.backoffice.forms.messages import ReplyForm
from claimory.backoffice.forms.money import SupplementForm
from claimory.backoffice.selectors import (
    carrier_choices,
    claim_list,
    stage_choices,
    teammates_by_location,
)
from claimory.backoffice.simulator import sim_phone
from claimory.backoffice.switcher import working_location, working_location_set
from claimory.backoffice.thread import staff_thread
from claimory.backoffice.timeline import timeline_entries
from claimory.backoffice.views.mail import claim_email_context
from claimory.claims.models import Claim, EventType
from claimory.claims.selectors import claim_get_for_user, claim_timeline
from claimory.claims.services import claim_create, location_today
from claimory.drafts.selectors import drafts_waiting
from claimory.money.rental import rental_coverage
from claimory.money.selectors import supplements_of
from claimory.photos.selectors import staff_gallery
from claimory.printables.qr import portal_url, qr_svg
from claimory.shops.models import Stage
from claimory.shops.selectors import locations_for_user
from claimory.sms.consent import may_text
from claimory.sms.selectors import consent_history
from claimory.survey.selectors import survey_for_claim

PAGE_SIZE = 25


@staff_view
@require_GET
def claim_list_view(request: HttpRequest) -> HttpResponse:
    locations = list(locations_for_user(request.user))
    carriers = carrier_choices(locations)
    query = request.GET.copy()
    if "location" in query:  # the filter's own pick is remembered like the top bar's
        working_location_set(request, next(
            (loc for loc in locations if loc.slug == query["location"]), None))
    elif (working := working_location(request, locations)) is not None:
        query["location"] = working.slug
    form = ClaimFilterForm(query, locations=locations, stages=stage_choices(locations),
                           carriers=carriers)
    claims = claim_list(request.user, form.filters(), locations)
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/claim_list.html", {
        "form": form, "page": page, "locations": locations,
        "show_location": len(locations) > 1,
    })


@permission_view("claim.create")
def claim_new(request: HttpRequest) -> HttpResponse:
    locations = list(locations_for_user(request.user))
    stages = list(Stage.objects.filter(location__in=locations).order_by("position", "id"))
    form = IntakeForm(request.POST or None, locations=locations, stages=stages,
                      working=working_location(request, locations))
    if request.method == "POST" and form.is_valid():
        try:
            claim = claim_create(location=form.location_obj, data=form.to_input(),
                                 actor=request.user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Claim {claim} opened for {claim.customer.name}.")
            return redirect(reverse("backoffice:claim", args=[claim.pk]) + "?new=1")
    return render(request, "backoffice/claim_new.html",
                  {"form": form, "carriers": COMMON_CARRIERS}, status=form.status_code)


@staff_view
@require_GET
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = claim_get_for_user(request.user, claim_id)
    return claim_page(request, claim)


def claim_context(claim: Claim, *, note_form: NoteForm | None = None,
                  reply_form: ReplyForm | None = None, thread_error: str = "",
                  supplement_form: SupplementForm | None = None) -> dict:
    """What the claim page and its live fragments render from."""
    stages = list(claim.location.stages.order_by("position", "id"))
    events = list(claim_timeline(claim))
    entries = timeline_entries(events, {s.slug: s.name for s in stages})
    consent_log = consent_history(claim.location, claim.customer.phone, limit=5)
    textable, texting_off = may_text(claim, latest=consent_log[0] if consent_log else None)
    bay_photos, customer_files = staff_gallery(claim)
    return {
        "claim": claim,
        "texting_off": "" if textable else texting_off,
        "consent_log": consent_log,
        "stages": stages,
        "stage_names": {s.slug: s.name for s in stages},
        "bay_photos": bay_photos,
        "customer_files": customer_files,
        "entries": entries,
        "eta_history": [e for e in entries if e.event.type == EventType.ETA],
        "thread": staff_thread(claim),
        "reply_form": reply_form or ReplyForm(),
        "thread_error": thread_error,
        "drafts": drafts_waiting(claim),
        "sim": sim_phone(claim.customer, claim.location),
        "note_form": note_form or NoteForm(),
        "move_form": StageMoveForm(initial={"stage": claim.stage.slug}),
        "supplements": list(supplements_of(claim)),
        "documents": document_rows(claim),
        "supplement_form": supplement_form or SupplementForm(),
        "decisions": (("approved", "Approve"), ("denied", "Deny"), ("pending", "Reopen")),
        "survey": survey_for_claim(claim),
        "rental": (rental_coverage(claim, location_today(claim.location))
                   if claim.rental_start or claim.rental_company
                   or claim.rental_days_covered is not None else None),
    }


def claim_page(request: HttpRequest, claim: Claim, *, status: int = 200,
               email: dict | None = None, **forms) -> HttpResponse:
    """The claim page; also re-rendered by actions that failed, with their bound form
    (``email``: the Email section's, see views/mail.py)."""
    context = claim_context(claim, **forms)
    context.update(claim_email_context(request, claim, **(email or {})))
    url = portal_url(claim)
    teammates = teammates_by_location(request.membership, [claim.location])[claim.location_id]
    context.update({
        "portal_url": url,
        "portal_qr": qr_svg(url, scale=3) if url else "",
        "teammates": teammates,
        "just_created": request.GET.get("new") == "1",
    })
    return render(request, "backoffice/claim_detail.html", context, status=status)
