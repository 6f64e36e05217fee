"""The claim's photos and the customer's own files as the portal shows them, field by field.

An allow-list like ``customer_claim_view``: a tile carries an id, a stage name, a time, the
caption and the stored sizes, never a storage path or a staff URL. Internal and hidden
photos never become tiles (``portal_gallery``); "What you sent" lists only the customer's
own uploads and texted photos (``customer_sent``). Loaded on first use, so fragments that do
not show photos pay nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q
from django.utils.translation import gettext as _

from claimory.photos.models import Kind, Photo, Source, State
from claimory.photos.selectors import customer_sent, portal_gallery

# Sent files listed on the page; older ones stay with the shop (the list is a receipt).
SENT_LIMIT = 30
GALLERY_LIMIT = 200


@dataclass(frozen=True)
class GalleryPhoto:
    id: int
    stage_name: str
    at: dt.datetime
    caption: str
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    has_webp: bool


@dataclass(frozen=True)
class SentFile:
    id: int
    name: str
    kind_label: str
    at: dt.datetime
    is_pdf: bool
    ready: bool  # an image still being processed has no thumbnail yet
    thumb_width: int
    thumb_height: int


KIND_LABELS = {Kind.INSURANCE_CARD: Kind.INSURANCE_CARD.label,
               Kind.REGISTRATION: Kind.REGISTRATION.label, Kind.DAMAGE: Kind.DAMAGE.label,
               Kind.OTHER: Kind.OTHER.label}


def _kind_label(kind: str, source: str) -> str:
    if source == Source.MMS:
        return _("Texted photo")
    return str(KIND_LABELS.get(kind, Kind.OTHER.label))


class PortalPhotos:
    """The gallery and "What you sent" of one claim (one query for both, on first use)."""

    def __init__(self, claim_id: int, stage_names: dict[str, str]):
        self.claim_id = claim_id
        self.stage_names = stage_names

    @cached_property
    def _rows(self) -> list[Photo]:
        # One query for both lists: the same rules as portal_gallery and customer_sent.
        gallery = portal_gallery(self.claim_id).values("pk")
        sent = customer_sent(self.claim_id).values("pk")
        return list(Photo.objects.filter(Q(pk__in=gallery) | Q(pk__in=sent)).only(
            "id", "source", "kind", "stage", "published_at", "created_at", "caption",
            "original_name", "content_type", "state", "width", "height", "thumb_width",
            "thumb_height", "file_webp").order_by("created_at", "id"))

    @cached_property
    def gallery(self) -> list[GalleryPhoto]:
        rows = sorted((p for p in self._rows if p.source == Source.BAY),
                      key=lambda p: (p.published_at or p.created_at, p.pk))[:GALLERY_LIMIT]
        return [GalleryPhoto(id=p.pk, stage_name=self.stage_names.get(p.stage, ""),
                             at=p.published_at or p.created_at, caption=p.caption,
                             width=p.width, height=p.height, thumb_width=p.thumb_width,
                             thumb_height=p.thumb_height, has_webp=bool(p.file_webp.name))
                for p in rows]

    @cached_property
    def sent(self) -> list[SentFile]:
        rows = [p for p in reversed(self._rows) if p.source != Source.BAY][:SENT_LIMIT]
        return [SentFile(id=p.pk, name=p.original_name or _("Photo"),
                         kind_label=_kind_label(p.kind, p.source), at=p.created_at,
                         is_pdf=p.is_pdf, ready=p.state == State.READY,
                         thumb_width=p.thumb_width, thumb_height=p.thumb_height)
                for p in rows]
