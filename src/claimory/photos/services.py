"""Adding, processing, hiding and deleting a claim's photos and the customer's files.

``photo_receive`` checks the bytes (uploads.py), stores them as the photo's ``original`` and
writes a ``received`` row scheduled on the durable path; the worker's ``photo_process`` makes
the variants, deletes the original and only then writes the timeline event that puts the
photo on open portals. A retry of the same upload (same ``upload_key``) returns the first
row. MMS images arrive already cleaned (``photo_record``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.core import durable
from claimory.notifications.services import notify_photos
from claimory.photos.images import CleanImage
from claimory.photos.models import CUSTOMER_KINDS, Kind, Photo, Source, State
from claimory.photos.uploads import UploadRefused, upload_check
from claimory.shops.models import Stage

UPLOAD_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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


def _staff_urls(photo: Photo) -> dict[str, str]:
    return {"url": reverse("backoffice:photo_file", args=[photo.pk]),
            "thumb_url": reverse("backoffice:photo_thumb", args=[photo.pk])}


def photo_record(*, claim: Claim, stored: StoredImage, source: str, caption: str = "",
                 internal: bool = False, actor: Any = None, actor_label: str = "",
                 channel: str = Channel.STAFF, message: Any = None) -> Photo:
    """A photo already cleaned and stored (MMS): its row, ready, and its staff-only PHOTO
    event, in the caller's transaction."""
    assert transaction.get_connection().in_atomic_block, "record photos inside a transaction"
    photo = Photo.objects.create(
        claim=claim, state=State.READY, file=stored.path, thumbnail=stored.thumb_path,
        content_type=stored.content_type, width=stored.width, height=stored.height,
        size=stored.size, sha256=stored.sha256, source=source, stage=claim.stage.slug,
        caption=caption[:300], internal=internal, published_at=timezone.now(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        message=message)
    event_record(claim=claim, type=EventType.PHOTO, actor=actor, actor_label=actor_label,
                 channel=channel,
                 data={"photo_id": photo.pk, **_staff_urls(photo), "stage": photo.stage,
                       "caption": photo.caption, "internal": internal, "source": source})
    return photo


# ---- receiving an upload --------------------------------------------------------------------

def _stage_slug(claim: Claim, stage: str | None) -> str:
    if not stage:
        return claim.stage.slug
    if not Stage.objects.filter(location_id=claim.location_id, slug=stage).exists():
        raise UploadRefused(f"Unknown stage “{stage[:40]}” for this shop.")
    return stage


def photo_receive(*, claim: Claim, upload: UploadedFile | bytes, source: str,
                  name: str = "", kind: str = Kind.PHOTO, stage: str | None = None,
                  caption: str = "", internal: bool = False, actor: Any = None,
                  actor_label: str = "", channel: str = Channel.STAFF,
                  upload_key: str = "") -> Photo:
    """Accept one uploaded file for ``claim`` (UploadRefused says why not).

    Images are stored as received and processed by the worker; a customer's PDF is checked
    and kept as it is, and is on the timeline at once. ``upload_key`` (the client's id for
    this file) makes a retry after a dropped connection return the first row.
    """
    if upload_key and not UPLOAD_KEY.match(upload_key):
        raise UploadRefused("The upload id must be 1–64 letters, digits, '-' or '_'.")
    if upload_key:
        existing = Photo.objects.filter(claim=claim, upload_key=upload_key).first()
        if existing is not None:
            return existing
    if source == Source.CUSTOMER and kind not in CUSTOMER_KINDS:
        raise UploadRefused("Choose what you are sending: insurance card, VIN / "
                            "registration, damage photos or other.")
    if source != Source.CUSTOMER:
        kind = Kind.PHOTO
    checked = upload_check(upload, name=name, allow_pdf=source == Source.CUSTOMER)
    stage_slug = _stage_slug(claim, stage)
    folder = claim_folder(claim)
    stem = uuid.uuid4().hex
    common = dict(claim=claim, kind=kind, source=source, stage=stage_slug,
                  caption=(caption or "").strip()[:300], internal=internal and
                  source == Source.BAY, original_name=checked.name, upload_key=upload_key,
                  uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
    if checked.kind == "pdf":
        path = default_storage.save(f"{folder}/{stem}.pdf", ContentFile(checked.raw))
        fields = dict(state=State.READY, file=path, content_type=checked.content_type,
                      size=len(checked.raw), published_at=timezone.now())
    else:
        path = default_storage.save(f"incoming/{folder}/{stem}.upload", ContentFile(checked.raw))
        fields = dict(state=State.RECEIVED, original=path, content_type=checked.content_type,
                      width=checked.width, height=checked.height, size=len(checked.raw))
    try:
        with transaction.atomic():
            photo = Photo.objects.create(**common, **fields)
            if photo.state == State.READY:
                photo_publish(photo, actor=actor, actor_label=actor_label, channel=channel)
            else:
                durable.schedule(photo)
    except IntegrityError:
        # The same upload_key won a race with us: keep the first, drop our copy.
        default_storage.delete(path)
        existing = Photo.objects.filter(claim=claim, upload_key=upload_key).first()
        if existing is None:
            raise
        return existing
    return photo


# ---- publishing -------------------------------------------------------------------------------

def photo_publish(photo: Photo, *, actor: Any = None, actor_label: str = "",
             channel: str = Channel.SYSTEM) -> None:
    """The photo's timeline event: what puts it on open portals and staff pages."""
    if photo.source == Source.CUSTOMER:
        event_record(claim=photo.claim, type=EventType.UPLOAD, actor=actor,
                     actor_label=actor_label or "Customer", channel=Channel.PORTAL,
                     customer_visible=True,
                     data={"photo_id": photo.pk, "kind": photo.kind,
                           "name": photo.original_name, "content_type": photo.content_type})
        return
    event_record(claim=photo.claim, type=EventType.PHOTO, actor=actor or photo.uploaded_by,
                 actor_label=actor_label, channel=channel, customer_visible=not photo.internal,
                 data={"photo_id": photo.pk, **_staff_urls(photo), "stage": photo.stage,
                       "caption": photo.caption, "internal": photo.internal,
                       "source": photo.source})
    if photo.source == Source.BAY and not photo.internal:
        # "New photos of your car" where the shop's rule says so: one text per burst.
        notify_photos(photo.claim, 1)


# ---- staff changes ----------------------------------------------------------------------------

def photo_hide(photo: Photo, *, hidden: bool, actor: Any, actor_label: str = "") -> Photo:
    """Hide a photo from the customer (or show it again): it leaves open portals live."""
    with transaction.atomic():
        photo = Photo.objects.select_for_update().select_related("claim").get(pk=photo.pk)
        if (photo.hidden_at is not None) == hidden:
            return photo
        photo.hidden_at = timezone.now() if hidden else None
        photo.save(update_fields=["hidden_at", "updated_at"])
        if photo.ready:
            event_record(claim=photo.claim, type=EventType.PHOTO, actor=actor,
                         actor_label=actor_label, customer_visible=not photo.internal,
                         data={"photo_id": photo.pk, "stage": photo.stage,
                               "caption": photo.caption, "internal": photo.internal,
                               "action": "hidden" if hidden else "shown"})
    return photo


def photo_internal_set(photo: Photo, *, internal: bool, actor: Any,
                       actor_label: str = "") -> Photo:
    """Switch a bay photo between staff-only and customer-visible."""
    with transaction.atomic():
        photo = Photo.objects.select_for_update().select_related("claim").get(pk=photo.pk)
        if photo.internal == internal or photo.source != Source.BAY:
            return photo
        photo.internal = internal
        photo.save(update_fields=["internal", "updated_at"])
        if photo.ready:
            # Customer-visible either way: open portals must add or drop it.
            event_record(claim=photo.claim, type=EventType.PHOTO, actor=actor,
                         actor_label=actor_label, customer_visible=True,
                         data={"photo_id": photo.pk, "stage": photo.stage,
                               "caption": "" if internal else photo.caption,
                               "action": "hidden" if internal else "shown"})
    return photo


def photo_delete(photo: Photo, *, actor: Any, actor_label: str = "") -> None:
    """Delete a photo and its files; open portals drop it live."""
    with transaction.atomic():
        photo = Photo.objects.select_for_update().select_related("claim").get(pk=photo.pk)
        paths = [f.name for f in (photo.original, photo.file, photo.file_webp,
                                  photo.thumbnail, photo.thumbnail_webp) if f.name]
        claim, photo_id = photo.claim, photo.pk
        if photo.source == Source.CUSTOMER:
            event_record(claim=claim, type=EventType.UPLOAD, actor=actor,
                         actor_label=actor_label, customer_visible=True,
                         data={"photo_id": photo_id, "kind": photo.kind,
                               "name": photo.original_name, "action": "deleted"})
        else:
            event_record(claim=claim, type=EventType.PHOTO, actor=actor,
                         actor_label=actor_label,
                         customer_visible=photo.ready and not photo.internal,
                         data={"photo_id": photo_id, "stage": photo.stage,
                               "internal": photo.internal, "action": "deleted"})
        photo.delete()
        transaction.on_commit(lambda: [default_storage.delete(p) for p in paths])
