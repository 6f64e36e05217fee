"""What the reports need that no other table records: how often each portal was opened."""

from __future__ import annotations

from django.db import models

from claimory.claims.models import Claim
from claimory.core.models import BaseModel


class PortalView(BaseModel):
    """Portal page views of one claim in one UTC hour.

    Privacy: no IP, device or cookie is kept; a claim's link is one household, so "unique
    viewers" are claims. The hour (not the day) is stored so each location's reports bucket
    it in its own time zone. Written only by ``reports/portal_counter.py`` with an atomic
    upsert (``views = views + n``), batched in memory so the page never waits for it.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(help_text="Start of the UTC hour")
    views = models.PositiveIntegerField(default=0)

    class Meta(BaseModel.Meta):
        ordering = ["hour", "claim_id"]
        constraints = [models.UniqueConstraint(fields=["claim", "hour"],
                                               name="portal_view_per_claim_hour")]
        indexes = [models.Index(fields=["hour"])]

    def __str__(self) -> str:
        return f"{self.claim_id} @ {self.hour:%Y-%m-%d %H}:00 × {self.views}"
