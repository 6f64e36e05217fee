"""Turning untrusted image bytes into clean files: sniffed by Pillow (never by the declared
type or name), bounded in pixels before anything is decoded, re-encoded so no EXIF, GPS or
other metadata survives.

A photo becomes four files: a display size and a thumbnail, each as WebP (small, what
browsers ask for) and JPEG (the fallback). iPhone HEIC/HEIF is read through pillow-heif.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "MPO", "HEIF"})
MAX_PIXELS = 50_000_000  # a 48-megapixel iPhone photo fits; beyond is a decompression bomb
MAX_SIDE = 3000  # MMS images kept for staff are scaled down to this on the long side
DISPLAY_SIDE = 1600  # the portal's full-screen viewer; sharp on a phone, small on the wire
THUMB_SIDE = 480  # gallery tiles (srcset 480w / 1600w)
JPEG_QUALITY = 82
WEBP_QUALITY = 78

# Pillow's own guard, as a second line behind ours (it raises DecompressionBombError at 2×).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


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


@dataclass(frozen=True)
class Variants:
    """A photo ready to serve: display and thumbnail, each in JPEG and WebP."""

    display_jpeg: CleanImage
    display_webp: CleanImage
    thumb_jpeg: CleanImage
    thumb_webp: CleanImage


@dataclass(frozen=True)
class Probe:
    format: str
    width: int
    height: int


def image_probe(raw: bytes) -> Probe:
    """What the bytes are, from their header alone (nothing decoded): NotAnImage unless an
    allowed format within the pixel limit."""
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            fmt, (width, height) = probe.format or "", probe.size
    except Image.DecompressionBombError as exc:
        raise NotAnImage(f"more pixels than a photo we keep (at most "
                         f"{MAX_PIXELS // 1_000_000} megapixels)") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise NotAnImage("not a readable image") from exc
    if fmt not in ALLOWED_FORMATS:
        raise NotAnImage(f"{fmt or 'unknown'} files are not kept as photos")
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise NotAnImage(f"{width}×{height} pixels is more than a photo we keep "
                         f"(at most {MAX_PIXELS // 1_000_000} megapixels)")
    return Probe(fmt, width, height)


def _upright(raw: bytes, *, max_side: int) -> Image.Image:
    """Decode (first frame), apply the EXIF orientation, and drop the file's metadata."""
    image_probe(raw)
    try:
        with Image.open(io.BytesIO(raw)) as opened:
            opened.seek(0)  # animated GIF/WebP: the first frame
            if opened.format == "JPEG":
                # Decode at reduced scale straight from the DCT: a 12 MP JPEG in a fraction
                # of the time, never below the size we keep.
                opened.draft("RGB", (max_side, max_side))
            opened.load()
            upright = ImageOps.exif_transpose(opened)
    except NotAnImage:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            SyntaxError) as exc:
        raise NotAnImage("not a readable image") from exc
    return upright


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: photos have no use for transparency, and JPEG cannot carry it."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _save(image: Image.Image, fmt: str) -> CleanImage:
    image.info = {}  # exif, icc, xmp… nothing of the original is carried into what we write
    out = io.BytesIO()
    if fmt == "WEBP":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
        content_type, extension = "image/webp", "webp"
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        content_type, extension = "image/jpeg", "jpg"
    data = out.getvalue()
    return CleanImage(data, content_type, extension, image.width, image.height,
                      hashlib.sha256(data).hexdigest())


def _scaled(image: Image.Image, side: int) -> Image.Image:
    scaled = image.copy()
    scaled.thumbnail((side, side), Image.Resampling.LANCZOS)
    return scaled


def image_variants(raw: bytes) -> Variants:
    """The four served files of a photo, or NotAnImage."""
    base = _flatten(_upright(raw, max_side=DISPLAY_SIDE))
    display = _scaled(base, DISPLAY_SIDE)
    thumb = _scaled(display, THUMB_SIDE)
    return Variants(display_jpeg=_save(display, "JPEG"), display_webp=_save(display, "WEBP"),
                    thumb_jpeg=_save(thumb, "JPEG"), thumb_webp=_save(thumb, "WEBP"))


def _encode(image: Image.Image, *, keep_alpha: bool, max_side: int) -> CleanImage:
    image = image.copy()
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if keep_alpha:
        image = image.convert("RGBA")
        image.info = {}
        image.save(out, "PNG", optimize=True)
        content_type, extension = "image/png", "png"
    else:
        image = image.convert("RGB")
        image.info = {}
        image.save(out, "JPEG", quality=85, optimize=True)
        content_type, extension = "image/jpeg", "jpg"
    data = out.getvalue()
    return CleanImage(data, content_type, extension, image.width, image.height,
                      hashlib.sha256(data).hexdigest())


def image_clean(raw: bytes) -> tuple[CleanImage, CleanImage]:
    """The stored image and its thumbnail (MMS and the unmatched queue), or NotAnImage.
    Metadata is dropped by re-encoding; the EXIF orientation is applied first."""
    upright = _upright(raw, max_side=MAX_SIDE)
    keep_alpha = upright.mode in ("RGBA", "LA", "P") and (
        upright.mode != "P" or "transparency" in upright.info)
    return (_encode(upright, keep_alpha=keep_alpha, max_side=MAX_SIDE),
            _encode(upright, keep_alpha=keep_alpha, max_side=THUMB_SIDE))


LOGO_SIDE = 512  # a shop's logo: crisp at 96 px on a 3x phone screen and on a printout


def logo_clean(raw: bytes) -> CleanImage:
    """A shop's logo as PNG (flat colours and transparency survive; no metadata), at most
    ``LOGO_SIDE`` on the long side, or NotAnImage."""
    return _encode(_upright(raw, max_side=LOGO_SIDE), keep_alpha=True, max_side=LOGO_SIDE)
