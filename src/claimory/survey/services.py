"""The post-repair survey: scheduled on delivery, sent by the worker, answered once on the portal.

- ``survey_on_stage`` is called by ``claim_stage_set`` in its transaction: entering a delivery
  stage schedules the claim's one Survey (``survey_delay_hours`` later); leaving delivery
  before the invitation went out cancels it; delivering again reuses the same row.
- ``survey_send`` is the durable handler: it texts/emails the invitation through the normal
  notification path (approved template, consent, quiet hours in the outbox) in one
  transaction with the row's new state, so a crash either leaves it pending or sent — never
  sent twice.
- ``survey_answer`` takes the customer's answer with one conditional UPDATE (two posts at
  once: one answer). Every respondent is then offered the location's review link; an overall
  of 3 or less also opens a private ``FollowUp`` for a manager at once. The follow-up is a
  task, never a gate: the review offer does not depend on the score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.claims.selectors import portal_expires_at
from claimory.core import durable
from claimory.messaging.models import Status
from claimory.shops.models import Stage
from claimory.shops.permissions import authorize
from claimory.survey.models import FollowUp, FollowUpState, Survey, SurveyState

QUESTIONS = ("overall", "quality", "communication", "on_time", "recommend")
# Still waiting for an answer (the invitation may or may not have gone out yet).
OPEN_STATES = (SurveyState.SCHEDULED, SurveyState.SENDING, SurveyState.SENT)


# ---- scheduling ------------------------------------------------------------------------------

def survey_on_stage(claim: Claim, stage: Stage, previous: Stage | None) -> Survey | None:
    """The claim moved to ``stage``: schedule its survey on delivery, cancel it when the car
    leaves delivery before the invitation went out. Call inside the move's transaction."""
    if stage.is_delivery:
        return survey_schedule(claim)
    if previous is not None and previous.is_delivery:
        survey_cancel(claim, reason=f"The car moved back to {stage.name}.")
    return None


def survey_schedule(claim: Claim) -> Survey | None:
    """Create (or revive) the claim's one survey, due ``survey_delay_hours`` after delivery.

    An invitation already sent, an answer or an expiry is kept as it is: one survey per
    claim, whatever happens to the car after."""
    location = claim.location
    if not location.survey_enabled:
        return None
    delivered = claim.delivered_at or timezone.now()
    due = delivered + dt.timedelta(hours=location.survey_delay_hours)
    expires = due + dt.timedelta(days=location.survey_expiry_days)
    survey, created = Survey.objects.select_for_update().get_or_create(
        claim=claim, defaults={"location": location, "state": SurveyState.SCHEDULED,
                               "due_at": due, "expires_at": expires})
    if not created:
        if survey.state not in (SurveyState.SCHEDULED, SurveyState.CANCELLED):
            return survey
        survey.state, survey.expires_at = SurveyState.SCHEDULED, expires
        survey.location = location
        survey.save(update_fields=["state", "expires_at", "location", "updated_at"])
    durable.schedule(survey, at=due)
    return survey


def survey_cancel(claim: Claim, *, reason: str = "") -> bool:
    """Cancel an invitation not sent yet (the row stays: re-delivery revives it)."""
    cancelled = Survey.objects.filter(claim=claim, state=SurveyState.SCHEDULED).update(
        state=SurveyState.CANCELLED, lease_until=None, updated_at=timezone.now())
    if cancelled:
        event_record(claim=claim, type=EventType.SURVEY, channel=Channel.SYSTEM,
                     actor_label=claim.location.name,
                     data={"action": "cancelled", "reason": reason})
    return bool(cancelled)


# ---- the invitation (durable work) -----------------------------------------------------------

@durable.handler(Survey)
def survey_send(survey: Survey) -> None:
    """Send the invitation on the customer's channels, once."""
    from claimory.notifications.models import Trigger
    from claimory.notifications.services import notify

    with transaction.atomic():
        # The claim's row first: a stage move (which cancels) and this send take turns.
        claim = Claim.objects.select_for_update().select_related(
            "location", "customer", "vehicle", "stage").get(pk=survey.claim_id)
        held = Survey.objects.select_for_update().filter(
            pk=survey.pk, state=SurveyState.SENDING, attempts=survey.attempts).exists()
        if not held:
            return  # answered meanwhile, or another attempt took over
        location = claim.location
        now = timezone.now()
        if claim.delivered_at is None or not location.survey_enabled:
            durable.finish(survey, SurveyState.CANCELLED)
            return
        link_ends = portal_expires_at(claim.delivered_at, location.portal_expiry_days)
        expires = min(now + dt.timedelta(days=location.survey_expiry_days), link_ends)
        if expires <= now:
            durable.finish(survey, SurveyState.EXPIRED)
            return
        message = notify(claim, Trigger.SURVEY)
        sent = message is not None and message.status != Status.FAILED
        data: dict[str, Any] = {"action": "sent",
                                "channels": list(message.event.data.get("channels", []))
                                if sent and message.event else []}
        if not sent:
            data["reason"] = ("No text or email went out (see the notification above, or the "
                              "customer has no channel they agreed to); the portal still "
                              "offers the survey.")
        event_record(claim=claim, type=EventType.SURVEY, channel=Channel.SYSTEM,
                     actor_label=location.name, data=data)
        durable.finish(survey, SurveyState.SENT, sent_at=now if sent else None,
                       expires_at=expires)


# ---- what the portal offers ------------------------------------------------------------------

@dataclass(frozen=True)
class Offer:
    """The survey section of the portal: ``open`` (the form), ``answered`` (thanks and the
    review link) or ``expired``. Never carries anything about a follow-up."""

    state: str
    review_url: str
    expires_at: dt.datetime | None
    overall: int | None = None


def survey_offer(claim: Claim, now: dt.datetime | None = None) -> Offer | None:
    """What the portal shows of the claim's survey, or None (not delivered, surveys off)."""
    if claim.delivered_at is None:
        return None
    survey = Survey.objects.filter(claim_id=claim.pk).only(
        "state", "expires_at", "overall", "answered_at").first()
    if survey is None or survey.state == SurveyState.CANCELLED:
        return None
    review_url = claim.location.review_url
    if survey.state != SurveyState.ANSWERED and not claim.location.survey_enabled:
        return None  # the shop turned surveys off: no new answers are asked for
    if survey.state == SurveyState.ANSWERED:
        return Offer("answered", review_url, survey.expires_at, survey.overall)
    now = now or timezone.now()
    if survey.state == SurveyState.EXPIRED or (survey.expires_at and survey.expires_at <= now):
        return Offer("expired", review_url, survey.expires_at)
    return Offer("open", review_url, survey.expires_at)


# ---- answering -------------------------------------------------------------------------------

class SurveyClosed(Exception):
    """The answer cannot be taken: ``reason`` is ``answered``, ``expired`` or ``not_open``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _answers_check(answers: dict[str, Any]) -> dict[str, Any]:
    ranges = {"overall": (1, 5), "quality": (1, 5), "communication": (1, 5),
              "on_time": (1, 5), "recommend": (0, 10)}
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, (low, high) in ranges.items():
        value = answers.get(name)
        if value is None:
            if name == "overall":
                errors[name] = ["Choose a score from 1 to 5."]
            clean[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = [f"Choose a score from {low} to {high}."]
        clean[name] = value
    comment = str(answers.get("comment") or "").replace("\r\n", "\n").strip()
    if len(comment) > 2000:
        errors["comment"] = ["Keep the comment under 2000 characters."]
    clean["comment"] = comment
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def survey_answer(*, claim: Claim, answers: dict[str, Any]) -> Survey:
    """Record the customer's one answer. Raises ValidationError (bad scores) or SurveyClosed.

    One conditional UPDATE decides: of two answers posted at the same instant one matches
    and the other finds the row answered. A low overall opens the follow-up at once."""
    clean = _answers_check(answers)
    # The claim's row first, as the invitation's handler and stage moves take it: locks in
    # one order (claim, then survey) never deadlock.
    list(Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk", flat=True))
    now = timezone.now()
    still_open = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    taken = Survey.objects.filter(still_open, claim_id=claim.pk, state__in=OPEN_STATES,
                                  answered_at__isnull=True).update(
        state=SurveyState.ANSWERED, answered_at=now, lease_until=None, updated_at=now, **clean)
    if not taken:
        state = Survey.objects.filter(claim_id=claim.pk).values_list("state", flat=True).first()
        if state == SurveyState.ANSWERED:
            raise SurveyClosed("answered")
        if state in (*OPEN_STATES, SurveyState.EXPIRED):
            raise SurveyClosed("expired")
        raise SurveyClosed("not_open")
    survey = Survey.objects.select_related("location").get(claim_id=claim.pk)
    follow_up = survey.low_score
    if follow_up:
        FollowUp.objects.create(survey=survey, location=survey.location)
    event_record(
        claim=claim, type=EventType.SURVEY, channel=Channel.PORTAL,
        actor_label=claim.customer.name, customer_visible=True,
        data={"action": "answered", **{q: clean[q] for q in QUESTIONS},
              "comment": clean["comment"], "follow_up": follow_up})
    return survey


# ---- staff: follow-ups ------------------------------------------------------------------------

@transaction.atomic
def follow_up_resolve(*, follow_up: FollowUp, note: str, actor: Any = None) -> FollowUp:
    """A manager called the customer (or otherwise made it right): close the task with a note."""
    authorize(actor, "surveys.follow_up", follow_up.location)
    note = (note or "").replace("\r\n", "\n").strip()
    if not note:
        raise ValidationError({"resolution": ["Say what was done (e.g. called, fixed the trim)."]})
    if len(note) > 2000:
        raise ValidationError({"resolution": ["Keep the note under 2000 characters."]})
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    done = FollowUp.objects.filter(pk=follow_up.pk, state=FollowUpState.OPEN).update(
        state=FollowUpState.DONE, resolved_at=now, resolved_by=user, resolution=note,
        updated_at=now)
    follow_up.refresh_from_db()
    if not done:
        raise ValidationError({"resolution": ["This follow-up was already resolved."]})
    claim = follow_up.survey.claim
    event_record(claim=claim, type=EventType.SURVEY, actor=actor, channel=Channel.STAFF,
                 data={"action": "resolved", "note": note})
    return follow_up
