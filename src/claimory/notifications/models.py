"""Which events text the customer (rules) and what the text says (templates), per location."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Language
from claimory.core.models import BaseModel
from claimory.shops.models import Location


class Trigger:
    """What can notify. Stage moves are ``stage:<slug>`` for each stage of the location."""

    RECEIVED = "received"  # the claim was opened (intake)
    READY = "ready_for_pickup"  # entering the stage just before delivery (``completed``)
    PHOTOS = "photos"  # new photos, at most one text per claim per two hours
    SHOP_MESSAGE = "shop_message"  # a staff reply is also texted (messaging.services)
    DOCUMENT = "document"  # a document to sign
    SURVEY = "survey"  # the post-repair survey invitation (claimory.survey), after delivery
    STAGE_PREFIX = "stage:"

    FIXED = (RECEIVED, READY, PHOTOS, SHOP_MESSAGE, DOCUMENT, SURVEY)

    @classmethod
    def for_stage(cls, slug: str) -> str:
        return f"{cls.STAGE_PREFIX}{slug}"


class TemplateKey(models.TextChoices):
    RECEIVED = "received", _("Claim opened")
    STAGE_CHANGED = "stage_changed", _("Stage changed")
    SUPP_APPROVED = "supp_appr", _("Supplement approved")
    READY = "ready_for_pickup", _("Ready for pickup")
    DELIVERED = "delivered", _("Paid and delivered")
    PHOTOS = "photos", _("New photos")
    DOCUMENT = "document", _("Document to sign")
    SURVEY = "survey", _("Post-repair survey")


class NotificationRule(BaseModel):
    """Whether ``trigger`` texts the customer at this location. No row: the default (on)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE,
                                 related_name="notification_rules")
    trigger = models.CharField(max_length=60)
    enabled = models.BooleanField(default=True)

    class Meta(BaseModel.Meta):
        ordering = ["location_id", "trigger"]
        constraints = [models.UniqueConstraint(fields=["location", "trigger"],
                                               name="one_rule_per_trigger")]

    def __str__(self) -> str:
        return f"{self.trigger}: {'on' if self.enabled else 'off'}"


class MessageTemplate(BaseModel):
    """A location's wording of one notification in one language.

    Automated texts only ever use an approved template: saving a new body clears the
    approval, and an owner or manager approves it again (notifications/services.py).
    No row: the built-in default wording, not approved yet.
    """

    location = models.ForeignKey(Location, on_delete=models.CASCADE,
                                 related_name="message_templates")
    key = models.CharField(max_length=30, choices=TemplateKey.choices)
    language = models.CharField(max_length=2, choices=Language.choices)
    body = models.TextField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta(BaseModel.Meta):
        ordering = ["location_id", "key", "language"]
        constraints = [models.UniqueConstraint(fields=["location", "key", "language"],
                                               name="one_template_per_key_language")]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None
