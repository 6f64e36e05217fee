"""A shop's logo: uploaded by staff, checked by its content at once, then cleaned (metadata
dropped, re-encoded as PNG) and resized by the worker, like every photo.

The location's ``logo`` changes only when the worker has a clean file, so a customer never
meets a half-written or unsafe image, and a second upload made before the first is processed
wins (the older job is marked superseded, never applied after it).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from claimory.core import durable
from claimory.photos.images import NotAnImage, logo_clean
from claimory.photos.uploads import UploadRefused, read_upload, upload_check
from claimory.shops.models import Location, LogoJob, LogoJobState
from claimory.shops.permissions import authorize

MAX_LOGO_BYTES = 5 * 1024 * 1024


def logo_upload(*, location: Location, upload: UploadedFile | bytes, actor: Any = None
                ) -> LogoJob:
    """Store the upload and queue its processing; UploadRefused says why a file is not a
    usable image."""
    authorize(actor, "settings.location", location)
    raw = read_upload(upload, MAX_LOGO_BYTES)
    checked = upload_check(raw, name=getattr(upload, "name", "") or "logo")
    digest = hashlib.sha256(checked.raw).hexdigest()[:16]
    with transaction.atomic():
        job = LogoJob(location=location)
        job.source.save(f"{location.pk}-{digest}", ContentFile(checked.raw), save=False)
        job.save()
        durable.schedule(job)
    return job


@transaction.atomic
def logo_remove(*, location: Location, actor: Any = None) -> None:
    authorize(actor, "settings.location", location)
    LogoJob.objects.filter(location=location, state__in=LogoJob.PENDING).update(
        state=LogoJobState.SUPERSEDED)
    if location.logo:
        location.logo.delete(save=False)
    location.logo = ""
    location.save(update_fields=["logo", "updated_at"])  # updated_at: pages show it at once


def logo_pending(location: Location) -> LogoJob | None:
    """The newest upload not yet applied or failed, for the settings page."""
    return (LogoJob.objects.filter(location=location)
            .exclude(state__in=(LogoJobState.DONE, LogoJobState.SUPERSEDED))
            .order_by("-pk").first())


@durable.handler(LogoJob)
def _logo_process(job: LogoJob) -> None:
    with transaction.atomic():
        location = Location.objects.select_for_update().get(pk=job.location_id)
        if LogoJob.objects.filter(location=location, pk__gt=job.pk).exists():
            durable.finish(job, LogoJobState.SUPERSEDED)
            _discard(job)
            return
        try:
            with job.source.open("rb") as handle:
                clean = logo_clean(handle.read())
        except (NotAnImage, UploadRefused) as exc:
            durable.finish(job, LogoJobState.FAILED, error=f"Not a usable image: {exc}"[:300])
            _discard(job)
            return
        old = location.logo.name if location.logo else ""
        location.logo.save(f"{location.pk}-{clean.sha256[:12]}.png", ContentFile(clean.data),
                           save=False)
        location.save(update_fields=["logo", "updated_at"])
        durable.finish(job, LogoJobState.DONE)
        if old and old != location.logo.name:
            transaction.on_commit(lambda: location.logo.storage.delete(old))
    _discard(job)


def _discard(job: LogoJob) -> None:
    """The upload is not needed once its outcome is recorded."""
    if job.source:
        job.source.delete(save=False)
        LogoJob.objects.filter(pk=job.pk).update(source="")
