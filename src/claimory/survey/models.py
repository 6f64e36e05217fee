"""The post-repair survey: one per claim, invited some hours after delivery on the
customer's channels, answered once on the portal, and a private follow-up for a manager when
the customer was unhappy.

The reports (claimory.reports) read CSI and NPS from the answered rows here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Claim
from claimory.core.durable import Durable
from claimory.core.models import BaseModel
from claimory.shops.models import Location

LOW_SCORE = 3  # an overall of this or less opens a follow-up for a manager


class SurveyState(models.TextChoices):
    SCHEDULED = "scheduled", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Not sent")


def _score(low: int, high: int) -> list:
    return [MinValueValidator(low), MaxValueValidator(high)]


class Survey(Durable, BaseModel):
    """A claim's survey. The durable work is the invitation: due ``survey_delay_hours`` after
    delivery, sent on the customer's channels; the answer arrives on the portal."""

    PENDING = (SurveyState.SCHEDULED,)
    WORKING = SurveyState.SENDING
    RELATED = ("claim", "claim__location", "claim__customer")

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="survey")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="surveys")
    state = models.CharField(max_length=10, choices=SurveyState.choices,
                             default=SurveyState.SCHEDULED)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The answers (1–5 stars; recommend is the NPS question, 0–10). Only overall is required.
    overall = models.PositiveSmallIntegerField(null=True, blank=True, validators=_score(1, 5))
    quality = models.PositiveSmallIntegerField(null=True, blank=True, validators=_score(1, 5))
    communication = models.PositiveSmallIntegerField(null=True, blank=True,
                                                     validators=_score(1, 5))
    on_time = models.PositiveSmallIntegerField(null=True, blank=True, validators=_score(1, 5))
    recommend = models.PositiveSmallIntegerField(null=True, blank=True,
                                                 validators=_score(0, 10))
    comment = models.TextField(blank=True, max_length=2000)

    class Meta(BaseModel.Meta):
        indexes = [models.Index(fields=["location", "answered_at"])]

    def __str__(self) -> str:
        return f"survey of {self.claim_id} ({self.state})"

    @property
    def low_score(self) -> bool:
        return self.overall is not None and self.overall <= LOW_SCORE


class FollowUpState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUp(BaseModel):
    """A private task for a manager after a low score: call the customer, make it right.
    Never shown to the customer."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="follow_up")
    location = models.ForeignKey(Location, on_delete=models.CASCADE,
                                 related_name="survey_follow_ups")
    state = models.CharField(max_length=10, choices=FollowUpState.choices,
                             default=FollowUpState.OPEN)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True, max_length=2000)

    class Meta(BaseModel.Meta):
        indexes = [models.Index(fields=["location", "state"])]

    def __str__(self) -> str:
        return f"follow-up of survey {self.survey_id} ({self.state})"
