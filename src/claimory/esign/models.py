"""Documents the customer signs from the portal, and the record that makes a signature hold up.

- ``DocumentTemplate``: a location's editable text for each kind (defaults in wording.py).
- ``Document``: one sent document, its text merged with the claim's data and **frozen** at
  sending (``content_sha256`` is the hash of exactly what the customer sees). Any change
  makes a new document; the old one is void, and a signature is refused unless it names the
  current hash.
- ``AuditEntry``: append-only trail per document (created, sent, viewed, consented, signed,
  voided, reminded, code sent/checked) with UTC time, IP, user agent and the portal token's id.
- ``EsignConsent``: the customer's consent to sign electronically (ESIGN §7001(c)), once per
  claim and disclosure version.
- ``SealJob``: the durable work that renders the signed PDF with its certificate page and
  seals it (PAdES, pyHanko); ``Reminder``: a nudge when a document stays unsigned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Claim
from claimory.core.durable import Durable
from claimory.core.models import BaseModel
from claimory.shops.models import Location


class Kind(models.TextChoices):
    REPAIR_AUTHORIZATION = "repair_authorization", _("Repair authorization")
    BETTERMENT = "betterment", _("Betterment approval")
    SUPPLEMENT_APPROVAL = "supplement_approval", _("Supplement approval")
    DELIVERY_ACK = "delivery_ack", _("Delivery acknowledgement")


class DocumentTemplate(BaseModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE,
                                 related_name="document_templates")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=120)
    body = models.TextField(help_text="Plain text; {placeholders} are filled from the claim")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta(BaseModel.Meta):
        constraints = [models.UniqueConstraint(fields=["location", "kind"],
                                               name="one_template_per_kind")]

    def __str__(self) -> str:
        return f"{self.location} {self.kind}"


class Status(models.TextChoices):
    SENT = "sent", _("Waiting for signature")
    VIEWED = "viewed", _("Opened by the customer")
    SIGNED = "signed", _("Signed")
    VOID = "void", _("Void")


class Method(models.TextChoices):
    DRAWN = "drawn", _("Drawn by hand")
    TYPED = "typed", _("Typed name")


class Document(BaseModel):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=120)
    body = models.TextField(help_text="The merged text, frozen at sending")
    fields = models.JSONField(default=dict, help_text="The values merged in (amount, parts…)")
    content_sha256 = models.CharField(max_length=64,
                                      help_text="SHA-256 of exactly what the customer sees")
    language = models.CharField(max_length=2, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="replaced_by")
    signer_name = models.CharField(max_length=120, blank=True)
    signature_method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    signature_image = models.FileField(max_length=200, blank=True,
                                       help_text="PNG of the drawn signature")
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    signed_user_agent = models.CharField(max_length=400, blank=True)
    signed_pdf = models.FileField(max_length=200, blank=True,
                                  help_text="Document + signature + certificate, sealed")
    signed_sha256 = models.CharField(max_length=64, blank=True,
                                     help_text="SHA-256 of the sealed PDF")
    # Optional one-time code by SMS before signing (location setting): its hash and expiry.
    otp_hash = models.CharField(max_length=64, blank=True)
    otp_expires_at = models.DateTimeField(null=True, blank=True)
    otp_attempts = models.PositiveSmallIntegerField(default=0)
    otp_verified_at = models.DateTimeField(null=True, blank=True)

    class Meta(BaseModel.Meta):
        indexes = [models.Index(fields=["claim", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def open(self) -> bool:
        """Still waiting for the customer's signature."""
        return self.status in (Status.SENT, Status.VIEWED)


class Action(models.TextChoices):
    CREATED = "created", _("Created")
    SENT = "sent", _("Sent")
    VIEWED = "viewed", _("Viewed")
    CONSENTED = "consented", _("Consented to sign electronically")
    CODE_SENT = "code_sent", _("Verification code sent")
    CODE_CHECKED = "code_checked", _("Verification code confirmed")
    SIGNED = "signed", _("Signed")
    SEALED = "sealed", _("Signed PDF sealed")
    REMINDED = "reminded", _("Reminder sent")
    VOIDED = "voided", _("Voided")
    REFUSED = "refused", _("Signature refused")


class AuditEntry(models.Model):
    """One line of a document's audit trail. Append-only."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="audit")
    action = models.CharField(max_length=20, choices=Action.choices)
    at = models.DateTimeField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    token_ref = models.CharField(max_length=16, blank=True,
                                 help_text="Which portal link: the first characters of its hash")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["document_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.action} {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("AuditEntry is append-only")
        super().save(*args, **kwargs)


class EsignConsent(models.Model):
    """The customer agreed to sign electronically after reading the disclosure ``version``."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="esign_consents")
    version = models.CharField(max_length=20)
    disclosure_sha256 = models.CharField(max_length=64)
    at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    token_ref = models.CharField(max_length=16, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["claim", "version"], condition=Q(withdrawn_at__isnull=True),
            name="one_live_consent_per_version")]

    def __str__(self) -> str:
        return f"consent {self.version} claim {self.claim_id}"


class SealState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    WORKING = "working", _("Sealing")
    DONE = "done", _("Sealed")
    FAILED = "failed", _("Failed")


class SealJob(Durable, BaseModel):
    """Render and seal a signed document's PDF (once; the worker runs it)."""

    PENDING = (SealState.PENDING,)
    WORKING = SealState.WORKING
    RELATED = ("document", "document__claim", "document__claim__location")

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="seal_job")
    state = models.CharField(max_length=10, choices=SealState.choices,
                             default=SealState.PENDING)

    def __str__(self) -> str:
        return f"seal {self.document_id} {self.state}"


class ReminderState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    WORKING = "working", _("Sending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not needed")
    FAILED = "failed", _("Failed")


class Reminder(Durable, BaseModel):
    """A reminder to sign, due some hours after sending; skipped if signed or void by then."""

    PENDING = (ReminderState.PENDING,)
    WORKING = ReminderState.WORKING
    RELATED = ("document", "document__claim", "document__claim__location")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reminders")
    number = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=10, choices=ReminderState.choices,
                             default=ReminderState.PENDING)

    class Meta(BaseModel.Meta):
        constraints = [models.UniqueConstraint(fields=["document", "number"],
                                               name="one_reminder_per_number")]

    def __str__(self) -> str:
        return f"reminder {self.number} for {self.document_id}"
