"""Turning untrusted image bytes into a clean file: sniffed by Pillow (never by the declared
type), bounded in pixels, re-encoded so no EXIF, GPS or other metadata survives."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "MPO"})
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; beyond that it is a decompression bomb
MAX_SIDE = 3000  # stored photos are scaled down to this on the long side
THUMB_SIDE = 480


class NotAnImage(ValueError):
    """The bytes are not an image we keep (wrong type, broken, or absurdly large)."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str


def _encode(image: Image.Image, *, keep_alpha: bool, max_side: int) -> CleanImage:
    image = image.copy()
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if keep_alpha:
        image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
        content_type, extension = "image/png", "png"
    else:
        image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True)
        content_type, extension = "image/jpeg", "jpg"
    data = out.getvalue()
    return CleanImage(data, content_type, extension, image.width, image.height,
                      hashlib.sha256(data).hexdigest())


def image_clean(raw: bytes) -> tuple[CleanImage, CleanImage]:
    """The stored image and its thumbnail, or NotAnImage. Metadata is dropped by
    re-encoding; the EXIF orientation is applied first so the photo stays upright."""
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise NotAnImage(f"{probe.format or 'unknown'} files are not kept as photos")
            width, height = probe.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise NotAnImage(f"{width}×{height} is not a photo size we keep")
            probe.seek(0)  # animated GIF/WebP: the first frame
            probe.load()
            upright = ImageOps.exif_transpose(probe)
    except NotAnImage:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAnImage("not a readable image") from exc
    keep_alpha = upright.mode in ("RGBA", "LA", "P") and (
        upright.mode != "P" or "transparency" in upright.info)
    return (_encode(upright, keep_alpha=keep_alpha, max_side=MAX_SIDE),
            _encode(upright, keep_alpha=keep_alpha, max_side=THUMB_SIDE))
