"""Reading surveys and follow-ups for staff, always scoped to the locations a user works at."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from claimory.claims.models import Claim
from claimory.shops.selectors import locations_for_user
from claimory.survey.models import FollowUp, FollowUpState, Survey


def survey_for_claim(claim: Claim) -> Survey | None:
    """The claim's survey with its follow-up (if any), for the claim page."""
    return Survey.objects.filter(claim=claim).select_related(
        "follow_up", "follow_up__resolved_by").first()


def follow_ups_for_user(user) -> QuerySet[FollowUp]:
    """The follow-ups at the user's locations: open first (oldest first: waiting longest),
    then the resolved ones, newest first."""
    return (FollowUp.objects.filter(location__in=locations_for_user(user))
            .select_related("location", "resolved_by", "survey", "survey__claim",
                            "survey__claim__customer", "survey__claim__vehicle")
            .annotate(done=Case(When(state=FollowUpState.OPEN, then=Value(0)),
                                default=Value(1), output_field=IntegerField()))
            .order_by("done", "created_at"))


def follow_up_get_for_user(user, follow_up_id: int) -> FollowUp:
    """A follow-up at one of the user's locations, or 404 (another shop's id included)."""
    follow_up = follow_ups_for_user(user).filter(pk=follow_up_id).first()
    if follow_up is None:
        raise Http404("No such follow-up")
    return follow_up


def open_follow_up_count(user) -> int:
    return FollowUp.objects.filter(location__in=locations_for_user(user),
                                   state=FollowUpState.OPEN).count()
