"""`GET /api/v1/claims/<id>/survey`: the claim's post-repair survey and its follow-up."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from claimory.api.auth import claim_get_for_key, key_of, key_require
from claimory.api.schemas import ErrorOut, SurveyOut
from claimory.survey.selectors import survey_for_claim

router = Router(tags=["survey"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_FIELDS = ("due_at", "sent_at", "expires_at", "answered_at", "overall", "quality",
           "communication", "on_time", "recommend")


def survey_out(survey) -> dict[str, Any]:
    if survey is None:
        return {"state": "none", "comment": "", "follow_up": None,
                **dict.fromkeys(_FIELDS)}
    follow_up = getattr(survey, "follow_up", None)
    return {"state": survey.state, "comment": survey.comment,
            **{name: getattr(survey, name) for name in _FIELDS},
            "follow_up": None if follow_up is None else {
                "state": follow_up.state, "created_at": follow_up.created_at,
                "resolved_at": follow_up.resolved_at, "resolution": follow_up.resolution}}


@router.get("/claims/{claim_id}/survey", response={200: SurveyOut, **ERRORS},
            operation_id="claim_survey", summary="The claim's post-repair survey")
def claim_survey(request: HttpRequest, claim_id: int):
    key_require(request, "claim.view")
    claim = claim_get_for_key(key_of(request), claim_id)
    return survey_out(survey_for_claim(claim))
