"""Photos of a claim's car: taken in the bay, uploaded by the customer, or texted in (MMS).

Files live in Django's default storage and are never reachable by their path: staff open
them through a view gated like the claim (backoffice ``photo_file``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Claim
from claimory.core.models import BaseModel


class Source(models.TextChoices):
    BAY = "bay", _("Taken in the shop")
    CUSTOMER = "customer", _("Uploaded by the customer")
    MMS = "mms", _("Texted by the customer")


class Photo(BaseModel):
    """One image, re-encoded on the way in (EXIF and GPS stripped), with its thumbnail."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(max_length=200)
    thumbnail = models.FileField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Bytes of the stored file")
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Of the stored file")
    source = models.CharField(max_length=10, choices=Source.choices)
    stage = models.CharField(max_length=40, blank=True, help_text="Stage slug when taken")
    caption = models.CharField(max_length=300, blank=True)
    internal = models.BooleanField(default=False, help_text="Staff only, never on the portal")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey("messaging.Message", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="photos",
                                help_text="The text it came with (MMS)")

    class Meta(BaseModel.Meta):
        ordering = ["claim_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of claim {self.claim_id}"
