"""Adding photos to a claim: files first (default storage), then the row and its timeline
event in the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.photos.images import CleanImage
from claimory.photos.models import Photo


@dataclass(frozen=True)
class StoredImage:
    """A clean image already in storage, not yet a claim's photo (e.g. an unmatched MMS)."""

    path: str
    thumb_path: str
    content_type: str
    width: int
    height: int
    size: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredImage:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def image_store(image: CleanImage, thumb: CleanImage, *, folder: str) -> StoredImage:
    """Write the image and its thumbnail under ``folder`` with unguessable names."""
    name = uuid.uuid4().hex
    path = default_storage.save(f"{folder}/{name}.{image.extension}", ContentFile(image.data))
    thumb_path = default_storage.save(f"{folder}/{name}.thumb.{thumb.extension}",
                                      ContentFile(thumb.data))
    return StoredImage(path=path, thumb_path=thumb_path, content_type=image.content_type,
                       width=image.width, height=image.height, size=len(image.data),
                       sha256=image.sha256)


def claim_folder(claim: Claim) -> str:
    return f"photos/{claim.location_id}/{claim.pk}"


def photo_record(*, claim: Claim, stored: StoredImage, source: str, caption: str = "",
                 internal: bool = False, actor: Any = None, actor_label: str = "",
                 channel: str = Channel.STAFF, message: Any = None) -> Photo:
    """The claim's photo row and its PHOTO timeline event (staff-only for now: the portal's
    gallery, with URLs the customer may open, comes with the photo gallery)."""
    assert transaction.get_connection().in_atomic_block, "record photos inside a transaction"
    photo = Photo.objects.create(
        claim=claim, file=stored.path, thumbnail=stored.thumb_path,
        content_type=stored.content_type, width=stored.width, height=stored.height,
        size=stored.size, sha256=stored.sha256, source=source, stage=claim.stage.slug,
        caption=caption[:300], internal=internal,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        message=message)
    event_record(claim=claim, type=EventType.PHOTO, actor=actor, actor_label=actor_label,
                 channel=channel,
                 data={"url": reverse("backoffice:photo_file", args=[photo.pk]),
                       "thumb_url": reverse("backoffice:photo_thumb", args=[photo.pk]),
                       "stage": photo.stage, "caption": photo.caption, "internal": internal})
    return photo
