"""The email hub: a shop's connected mailbox, every message we filed or sent, their
attachments, and the people on each claim's email threads.

Threading rests on ``MailMessage.message_key``: every Message-ID we mint (sent) or meet
(received) is stored once per location, so a reply's References / In-Reply-To finds its claim.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from claimory.claims.models import Claim
from claimory.core.durable import Durable
from claimory.core.models import BaseModel
from claimory.messaging.models import Message
from claimory.shops.models import Location


def message_key(message_id: str) -> str:
    """The lookup key of a Message-ID: its SHA-256, from the id without brackets or
    surrounding space (ids can be up to 998 characters; the key is fixed-size and indexed).
    The id's case is kept: RFC 5322 ids are case-sensitive in their local part."""
    core = message_id.strip().strip("<>").strip()
    return hashlib.sha256(core.encode("utf-8", "surrogatepass")).hexdigest()


class Provider(models.TextChoices):
    GOOGLE = "google", "Google (Gmail / Workspace)"
    MICROSOFT = "microsoft", "Microsoft (Outlook / 365)"
    IMAP = "imap", _("Other (IMAP and SMTP with a password)")
    # The demo's mailbox: sending keeps the message on this machine and the mail simulator
    # answers it as the recipient (mail/simulator.py). Nothing leaves the machine.
    SIMULATED = "simulated", _("Simulated (demo: nothing leaves this machine)")


class MailboxState(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    # The provider refused our credentials (token revoked or expired, password changed):
    # nothing syncs or sends until someone reconnects it.
    RECONNECT = "reconnect", _("Needs reconnecting")
    DISCONNECTED = "disconnected", _("Disconnected")


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (local test servers only)")


class Mailbox(BaseModel):
    """One location's connected mailbox: how to reach it, its credentials (encrypted with
    ``mail/secrets.py``) and where its sync stands (UIDVALIDITY and the last UID filed)."""

    location = models.OneToOneField(Location, on_delete=models.CASCADE, related_name="mailbox")
    provider = models.CharField(max_length=12, choices=Provider.choices)
    address = models.EmailField(help_text="The shop's address mail is sent from")
    display_name = models.CharField(max_length=120, blank=True)
    imap_host = models.CharField(max_length=255)
    imap_port = models.PositiveIntegerField(default=993)
    imap_security = models.CharField(max_length=10, choices=Security.choices,
                                     default=Security.SSL)
    smtp_host = models.CharField(max_length=255)
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_security = models.CharField(max_length=10, choices=Security.choices,
                                     default=Security.STARTTLS)
    username = models.CharField(max_length=254)
    # Encrypted (mail/secrets.py); never shown back. A password for IMAP, tokens for OAuth.
    password_enc = models.TextField(blank=True)
    refresh_token_enc = models.TextField(blank=True)
    access_token_enc = models.TextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=MailboxState.choices,
                             default=MailboxState.CONNECTED, db_index=True)
    state_reason = models.CharField(max_length=300, blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    folder = models.CharField(max_length=120, default="INBOX")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0, help_text="Highest UID filed so far")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    sync_every_seconds = models.PositiveIntegerField(default=60)

    def __str__(self) -> str:
        return f"{self.address} ({self.get_provider_display()})"

    @property
    def uses_oauth(self) -> bool:
        return self.provider in (Provider.GOOGLE, Provider.MICROSOFT)


class SyncState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SyncRun(BaseModel, Durable):
    """One pass over a mailbox's new mail, on the durable path (a crash mid-sync resumes
    from ``Mailbox.last_uid``, which advances with each message filed)."""

    PENDING = (SyncState.QUEUED,)
    WORKING = SyncState.RUNNING
    MAX_ATTEMPTS = 3
    RELATED = ("mailbox", "mailbox__location")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="runs")
    state = models.CharField(max_length=10, choices=SyncState.choices,
                             default=SyncState.QUEUED, db_index=True)
    fetched = models.PositiveIntegerField(default=0)
    filed = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    ignored = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(BaseModel.Meta):
        constraints = [models.UniqueConstraint(
            fields=["mailbox"], condition=models.Q(state__in=["queued", "running"]),
            name="one_open_sync_per_mailbox")]

    def __str__(self) -> str:
        return f"Sync of {self.mailbox_id}: {self.state}"


class MailDirection(models.TextChoices):
    INBOUND = "in", _("Received")
    OUTBOUND = "out", _("Sent")


class MailStatus(models.TextChoices):
    FILED = "filed", _("On a claim")
    UNMATCHED = "unmatched", _("Waiting for someone to pick its claim")
    IGNORED = "ignored", _("Kept out of claims")  # auto-replies, bounces, bulk mail
    QUEUED = "queued", _("Queued to send")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed to send")


class Source(models.TextChoices):
    SYNC = "sync", _("Mailbox sync")
    IMPORT = "import", _("Imported file")
    COMPOSE = "compose", _("Written here")
    NOTIFICATION = "notification", _("Customer notification")


class MailMessage(BaseModel):
    """One email, received or sent, stored once per location by its Message-ID."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="mail")
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="messages")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="mail")
    # The customer-facing copy of a portal message (notifications), when there is one.
    portal_message = models.OneToOneField(Message, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="mail")
    direction = models.CharField(max_length=3, choices=MailDirection.choices)
    status = models.CharField(max_length=10, choices=MailStatus.choices, db_index=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    message_id = models.CharField(max_length=998)
    message_key = models.CharField(max_length=64, editable=False)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.JSONField(default=list, blank=True, help_text="Message-IDs, oldest first")
    subject = models.CharField(max_length=500, blank=True)
    from_address = models.CharField(max_length=254, blank=True, db_index=True)
    from_name = models.CharField(max_length=200, blank=True)
    to = models.JSONField(default=list, blank=True)  # [[name, address], …]
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="The Date header")
    body_text = models.TextField(blank=True, help_text="The new part (quoted history cut off)")
    quoted_text = models.TextField(blank=True, help_text="The quoted history, shown collapsed")
    body_html = models.TextField(blank=True, help_text="Sent mail's HTML part, as sent")
    raw_path = models.CharField(max_length=300, blank=True, help_text="The message as received")
    match_reason = models.CharField(max_length=200, blank=True)
    candidates = models.JSONField(default=list, blank=True,
                                  help_text="Claim ids it could belong to, for the inbox")
    uid = models.BigIntegerField(null=True, blank=True)
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta(BaseModel.Meta):
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["location", "message_key"],
                                               name="one_mail_per_message_id")]
        indexes = [models.Index(fields=["location", "status"])]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        self.message_key = message_key(self.message_id)
        super().save(*args, **kwargs)


class MailAttachment(BaseModel):
    """A file that came with (or went with) a message: kept only when the upload checks
    (photos/uploads.py) accept it, served only through a staff session or the claim's token."""

    mail = models.ForeignKey(MailMessage, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=300, blank=True, help_text="Empty when refused")
    refused = models.CharField(max_length=200, blank=True, help_text="Why it was not kept")

    class Meta(BaseModel.Meta):
        ordering = ["mail_id", "id"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    ADJUSTER = "adjuster", _("Adjuster")
    APPRAISER = "appraiser", _("Appraiser")
    OTHER = "other", _("Other")


class Participant(BaseModel):
    """Someone on a claim's email threads. The claim's customer and adjuster count as
    participants from the claim itself; these rows add the rest (and what staff taught us by
    attaching a message to a claim)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="participants")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OTHER)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta(BaseModel.Meta):
        ordering = ["claim_id", "role", "email"]
        constraints = [models.UniqueConstraint(fields=["claim", "email"],
                                               name="one_participant_per_address")]

    def __str__(self) -> str:
        return f"{self.email} ({self.role}) on {self.claim_id}"

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class OAuthState(BaseModel):
    """A connect attempt in flight: the ``state`` we sent to the provider and the PKCE
    verifier to redeem its code with. Used once, within ten minutes."""

    state = models.CharField(max_length=64, unique=True)
    code_verifier = models.CharField(max_length=128)
    provider = models.CharField(max_length=12, choices=Provider.choices)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"OAuth {self.provider} for {self.location_id}"


class OutgoingState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Outgoing(BaseModel, Durable):
    """Sending one composed email (``mail``) through its location's mailbox, on the durable
    path. The Message-ID is minted when the row is written, so a retry after a crash sends
    the very same message (receivers and Gmail collapse repeats of one Message-ID)."""

    PENDING = (OutgoingState.QUEUED,)
    WORKING = OutgoingState.SENDING
    RELATED = ("mail", "mail__location", "mail__claim", "mail__location__mailbox")

    mail = models.OneToOneField(MailMessage, on_delete=models.CASCADE, related_name="outgoing")
    state = models.CharField(max_length=10, choices=OutgoingState.choices,
                             default=OutgoingState.QUEUED, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Sending {self.mail_id}: {self.state}"
