"""AI (or template) drafts of a reply to the customer: written by a drafter, sent only by a
person who approved them (drafts/services.py is the one way from a draft to the customer)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Claim
from claimory.core.models import BaseModel
from claimory.mail.models import MailMessage
from claimory.messaging.models import Message


class DraftChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")  # sent through mail/outgoing.py by draft_send_email


class DraftStatus(models.TextChoices):
    DRAFTED = "drafted", _("Draft — not sent")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    DISCARDED = "discarded", _("Discarded")


class Draft(BaseModel):
    """One suggested reply. ``drafted`` until a person edits and sends it (``approved`` →
    ``sent``, with who approved it and when) or throws it away (``discarded``).

    The database refuses an approved or sent draft without the person who approved it, and
    a sent one without its message (or email): nothing reaches anyone unapproved.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="drafts")
    channel = models.CharField(max_length=10, choices=DraftChannel.choices,
                               default=DraftChannel.SMS)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DraftStatus.choices,
                              default=DraftStatus.DRAFTED, db_index=True)
    drafter = models.CharField(max_length=60, help_text="Which drafter wrote it")
    context = models.JSONField(default=dict, blank=True,
                               help_text="The facts the drafter was given")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_message = models.OneToOneField(Message, null=True, blank=True,
                                        on_delete=models.CASCADE, related_name="draft")
    # An email draft's message once sent (the SMS/portal ones use ``sent_message``).
    sent_mail = models.OneToOneField(MailMessage, null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="draft")

    class Meta(BaseModel.Meta):
        ordering = ["claim_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="draft_approved_by_a_person",
                condition=~Q(status__in=[DraftStatus.APPROVED, DraftStatus.SENT])
                | Q(approved_by__isnull=False, approved_at__isnull=False)),
            models.CheckConstraint(
                name="draft_sent_has_its_message",
                condition=~Q(status=DraftStatus.SENT) | Q(sent_message__isnull=False)
                | Q(sent_mail__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Draft {self.pk} ({self.status}): {self.body[:40]}"
