"""The worker's side of a photo: make its variants, then publish it (core/durable.py).

Crash-safe and once-only: the row is claimed with a lease; files are written under fresh
names, and the row turns ``ready`` and its timeline event is written in one transaction
that first checks the row is still ours, so a second attempt never publishes twice.
"""

from __future__ import annotations

import time
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from claimory.core import durable
from claimory.photos.images import CleanImage, NotAnImage, image_variants
from claimory.photos.models import Photo, State
from claimory.photos.services import claim_folder, photo_publish


def _store_variant(folder: str, stem: str, suffix: str, image: CleanImage) -> str:
    return default_storage.save(f"{folder}/{stem}{suffix}.{image.extension}",
                                ContentFile(image.data))


def _still_ours(photo: Photo) -> bool:
    """Lock the row and check this attempt still holds it: a worker whose lease ran out
    (it stalled, or was thought dead) must not overwrite what its successor did."""
    return Photo.objects.select_for_update().filter(
        pk=photo.pk, state=State.PROCESSING, attempts=photo.attempts).exists()


def _fail(photo: Photo, error: str) -> None:
    with transaction.atomic():
        if _still_ours(photo):
            durable.finish(photo, State.FAILED, original="", last_error=error[:300])


@durable.handler(Photo)
def photo_process(photo: Photo) -> None:
    """Make the photo's variants, then (in one transaction) mark it ready and publish it."""
    started = time.monotonic()
    original = photo.original.name
    if not original or not default_storage.exists(original):
        _fail(photo, "The uploaded file is missing.")
        return
    with default_storage.open(original, "rb") as fh:
        raw = fh.read()
    try:
        variants = image_variants(raw)
    except NotAnImage as exc:
        _fail(photo, str(exc))
        default_storage.delete(original)
        return
    folder, stem = claim_folder(photo.claim), uuid.uuid4().hex
    paths = {
        "file": _store_variant(folder, stem, "", variants.display_jpeg),
        "file_webp": _store_variant(folder, stem, "", variants.display_webp),
        "thumbnail": _store_variant(folder, stem, ".thumb", variants.thumb_jpeg),
        "thumbnail_webp": _store_variant(folder, stem, ".thumb", variants.thumb_webp),
    }
    with transaction.atomic():
        if not _still_ours(photo):  # only one attempt publishes; ours keeps no files
            transaction.on_commit(lambda: [default_storage.delete(p) for p in paths.values()])
            return
        display = variants.display_jpeg
        durable.finish(
            photo, State.READY, original="", content_type=display.content_type,
            width=display.width, height=display.height,
            thumb_width=variants.thumb_jpeg.width, thumb_height=variants.thumb_jpeg.height,
            size=len(display.data), sha256=display.sha256, published_at=timezone.now(),
            processing_ms=int((time.monotonic() - started) * 1000), **paths)
        photo_publish(photo)
    # The original still holds the GPS: gone as soon as the clean copies are committed.
    default_storage.delete(original)


@durable.when_given_up(Photo)
def photo_process_given_up(photo: Photo, error: str) -> None:
    durable.finish(photo, State.FAILED, last_error=error)
