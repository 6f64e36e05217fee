"""Rows the public pages write. A "track your repair" request is durable work: the request
only stores it, so the answer and its timing are the same whether or not a repair matches."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Claim
from claimory.core.durable import Durable
from claimory.core.models import BaseModel
from claimory.shops.models import Location


class LinkRequestState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    WORKING = "working", _("Matching")
    SENT = "sent", _("Link sent")
    NO_MATCH = "no_match", _("No matching repair")
    NOT_SENT = "not_sent", _("Matched, no channel to send on")


class LinkRequest(Durable, BaseModel):
    """Someone typed a claim or RO number and a phone on /p/<slug>. The worker looks for an
    open repair with both and, if there is one, sends its portal link to the customer's
    channels on file — never to the page."""

    PENDING = (LinkRequestState.PENDING,)
    WORKING = LinkRequestState.WORKING
    RELATED = ("location",)

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=40)
    phone = models.CharField(max_length=20)
    state = models.CharField(max_length=10, choices=LinkRequestState.choices,
                             default=LinkRequestState.PENDING)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    def __str__(self) -> str:
        return f"link request at {self.location_id} ({self.state})"
