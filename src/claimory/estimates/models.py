"""Estimate imports: each received file (a durable work row), and each claim's link to the
estimate it came from (what was imported last, to tell staff edits from file changes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from claimory.claims.models import Claim
from claimory.core.durable import Durable
from claimory.core.models import BaseModel
from claimory.shops.models import Location


class Channel(models.TextChoices):
    UPLOAD = "upload", "Staff upload"
    API = "api", "API"
    COMMAND = "command", "Command line"
    FOLDER = "folder", "Watched folder"


class Action(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    UNCHANGED = "unchanged", "Unchanged"
    SKIPPED = "skipped", "Skipped"
    REJECTED = "rejected", "Rejected"


class ImportBatch(BaseModel):
    """What one person (or the folder, the API) sent at once: shown as one results list."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE,
                                 related_name="estimate_batches")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.channel})"


class ImportFile(Durable, BaseModel):
    """One received file (a BMS document, a zip, or an EMS set bundled as a zip) and what
    importing it did, one line per estimate in it."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        WORKING = "working", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    PENDING = (State.QUEUED,)
    WORKING = State.WORKING
    MAX_ATTEMPTS = 3
    RELATED = ("batch", "location")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="files")
    location = models.ForeignKey(Location, on_delete=models.CASCADE,
                                 related_name="estimate_files")
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="estimates/%Y/%m/", max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    action = models.CharField(max_length=10, choices=Action.choices, blank=True)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="estimate_files")
    result = models.TextField(blank=True, help_text="One line per estimate in the file")
    reason = models.CharField(max_length=300, blank=True)

    class Meta(BaseModel.Meta):
        ordering = ["batch_id", "id"]

    def __str__(self) -> str:
        return self.name


class EstimateLink(BaseModel):
    """The estimate a claim follows: its id, the supplement and content imported last, and
    the values that import wrote (a field that differs from them now was edited by staff)."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="estimate_link")
    estimate_id = models.CharField(max_length=60, blank=True)
    supplement = models.PositiveSmallIntegerField(default=0)
    fingerprint = models.CharField(max_length=64)
    values = models.JSONField(default=dict)
    total = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    source_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.estimate_id} S{self.supplement}"


class ImportFolder(BaseModel):
    """A folder on the server the worker watches for a location's estimate exports (the
    estimating system's export folder, synced by any means)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE,
                                 related_name="estimate_folders")
    path = models.CharField(max_length=500, unique=True)
    enabled = models.BooleanField(default=True)
    # name -> [size, mtime] at the last scan: a file is imported once it stops changing.
    seen = models.JSONField(default=dict, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.path
