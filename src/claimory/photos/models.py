"""Photos and files of a claim: taken in the bay, uploaded by the customer, or texted in (MMS).

An upload is stored as it came (``original``) and processed by the worker: orientation
applied, every byte of metadata dropped by re-encoding, resized to a display size and a
thumbnail, each as JPEG and WebP. The original is then deleted (it still holds the GPS).
Only then is the photo ``ready`` and its timeline event written, so nobody meets a broken
image. A customer's PDF is checked and kept as it is (no variants).

Files live in Django's default storage and are never reachable by their path: staff open
them through a view gated like the claim, the customer through the claim's token.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Claim
from claimory.core.durable import Durable
from claimory.core.models import BaseModel


class Source(models.TextChoices):
    BAY = "bay", _("Taken in the shop")
    CUSTOMER = "customer", _("Uploaded by the customer")
    MMS = "mms", _("Texted by the customer")


class Kind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    INSURANCE_CARD = "insurance_card", _("Insurance card")
    REGISTRATION = "registration", _("VIN / registration")
    DAMAGE = "damage", _("Damage walkaround")
    OTHER = "other", _("Other")


CUSTOMER_KINDS = (Kind.INSURANCE_CARD, Kind.REGISTRATION, Kind.DAMAGE, Kind.OTHER)


class State(models.TextChoices):
    RECEIVED = "received", _("Received, waiting to be processed")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be processed")


class Photo(Durable, BaseModel):
    """One image (or a customer's PDF) of a claim, with its processed variants."""

    PENDING = (State.RECEIVED,)
    WORKING = State.PROCESSING
    MAX_ATTEMPTS = 4
    RELATED = ("claim", "claim__location", "claim__stage")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos")
    state = models.CharField(max_length=12, choices=State.choices, default=State.READY)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PHOTO)
    original = models.FileField(max_length=200, blank=True,
                                help_text="The upload as received; deleted once processed")
    original_name = models.CharField(max_length=120, blank=True,
                                     help_text="The sender's file name, cleaned")
    upload_key = models.CharField(max_length=64, blank=True,
                                  help_text="The client's id for this upload: a retry of "
                                            "the same file does not make a second photo")
    file = models.FileField(max_length=200, blank=True, help_text="Display JPEG, or the PDF")
    thumbnail = models.FileField(max_length=200, blank=True)
    file_webp = models.FileField(max_length=200, blank=True)
    thumbnail_webp = models.FileField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    thumb_width = models.PositiveIntegerField(default=0)
    thumb_height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0, help_text="Bytes of the stored file")
    sha256 = models.CharField(max_length=64, blank=True, db_index=True,
                              help_text="Of the stored file")
    source = models.CharField(max_length=10, choices=Source.choices)
    stage = models.CharField(max_length=40, blank=True, help_text="Stage slug when taken")
    caption = models.CharField(max_length=300, blank=True)
    internal = models.BooleanField(default=False, help_text="Staff only, never on the portal")
    hidden_at = models.DateTimeField(null=True, blank=True,
                                     help_text="Hidden from the customer by staff")
    published_at = models.DateTimeField(null=True, blank=True,
                                        help_text="Processed and on the timeline")
    processing_ms = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey("messaging.Message", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="photos",
                                help_text="The text it came with (MMS)")

    class Meta(BaseModel.Meta):
        ordering = ["claim_id", "created_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["claim", "upload_key"], condition=~Q(upload_key=""),
            name="photo_upload_key_once_per_claim")]
        indexes = [models.Index(fields=["claim", "state"])]

    def __str__(self) -> str:
        return f"Photo {self.pk} of claim {self.claim_id}"

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def ready(self) -> bool:
        return self.state == State.READY

    @property
    def on_portal(self) -> bool:
        """Whether the customer's gallery shows it (bay photos only; uploads are theirs)."""
        return (self.state == State.READY and not self.internal and self.hidden_at is None
                and self.source == Source.BAY)
