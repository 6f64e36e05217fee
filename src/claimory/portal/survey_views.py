"""`POST /c/<token>/survey`: the customer's one answer to the post-repair survey.

A plain form post (works without JS): on success 303 back to the page, whose survey section
now thanks the customer and offers the shop's review link — the same for every score. A bad
score re-renders the page with the error (400); a second answer 409, an expired survey 410,
nothing changed either way.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from claimory.portal.origin import is_cross_site
from claimory.portal.page import portal_language
from claimory.portal.survey_form import SurveyForm, survey_questions
from claimory.portal.views import gate, page_response, portal_path
from claimory.survey.services import SurveyClosed, survey_answer


# Why an answer was refused -> (status, the note the survey section shows).
def _closed_note(reason: str) -> tuple[int, str]:
    if reason == "answered":
        return 409, _("You have already answered — thank you. Answers can't be changed.")
    if reason == "expired":
        return 410, _("This survey has closed.")
    return 409, _("The survey opens once your car is back with you.")


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """POST: the answers. GET (a reload of an error page): back to the survey section."""
    if request.method != "POST":
        return redirect(f"{portal_path(token)}#survey")
    if is_cross_site(request):
        return HttpResponseForbidden(
            "Refused: answers can only be sent from the repair page itself.\n",
            content_type="text/plain; charset=utf-8")
    claim = gate(request, token)
    if isinstance(claim, HttpResponse):
        return claim
    language = portal_language(request, claim)
    with translation.override(language):
        form = SurveyForm(request.POST)
        if not form.is_valid():
            return page_response(request, claim, token, language=language, status=400, extra={
                "survey_questions": survey_questions(form),
                "survey_comment": form.data.get("comment", ""),
                "survey_error": _("Please check the answers marked below.")})
        try:
            survey_answer(claim=claim, answers=form.cleaned_data)
        except SurveyClosed as exc:
            status, note = _closed_note(exc.reason)
            return page_response(request, claim, token, language=language, status=status,
                                 extra={"survey_note": note})
        except ValidationError as exc:  # the service's own check; the form should catch it
            return page_response(request, claim, token, language=language, status=400,
                                 extra={"survey_questions": survey_questions(form),
                                        "survey_error": " ".join(exc.messages)})
    query = {"lang": request.GET["lang"]} if "lang" in request.GET else {}
    suffix = f"?{urlencode(query)}" if query else ""
    # 303: the browser follows with a GET; a reload never posts the answer again.
    return HttpResponseRedirect(f"{portal_path(token)}{suffix}#survey", status=303)
