"""Deciding whether an uploaded file is one we keep, from its bytes alone.

The name and the declared content type are ignored: a text file named ``car.jpg`` is
refused, an iPhone's ``IMG_0001.HEIC`` sent as ``application/octet-stream`` is accepted.
Images are probed (header only, so a decompression bomb is refused before it is decoded);
PDFs must be well-formed on the outside and carry no scripts, launch actions or embedded
files (they are only ever served as downloads, but a shop's staff open them too).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile

from claimory.photos.images import NotAnImage, image_probe

MAX_IMAGE_BYTES = 25 * 1024 * 1024  # a 48 MP HEIC is ~10 MB, a 12 MP JPEG ~5 MB
MAX_PDF_BYTES = 15 * 1024 * 1024
PDF_CONTENT_TYPE = "application/pdf"
# Names of PDF actions that run or open something; refused rather than "cleaned".
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA|RichMedia|XFA)\b")


class UploadRefused(ValueError):
    """The file is not one we keep; ``str(exc)`` says why, in words for the sender."""


@dataclass(frozen=True)
class CheckedUpload:
    raw: bytes
    kind: str  # "image" | "pdf"
    content_type: str  # of what we will serve: the PDF's own, or "image/*" before processing
    name: str
    width: int = 0
    height: int = 0


def clean_file_name(name: str) -> str:
    """A file name safe to show back and to put in Content-Disposition: no path, no
    control or quote characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>;\r\n')
    return name.strip()[:120] or "file"


def read_upload(upload: UploadedFile | bytes, limit: int) -> bytes:
    """The upload's bytes, refusing early (from its declared size) when over ``limit``."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        if upload.size is not None and upload.size > limit:
            raise UploadRefused(_too_big(limit))
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(_too_big(limit))
    if not data:
        raise UploadRefused("The file is empty.")
    return data


def _too_big(limit: int) -> str:
    return f"The file is too large: at most {limit // (1024 * 1024)} MB."


def pdf_check(raw: bytes) -> None:
    """UploadRefused unless ``raw`` looks like a complete, passive PDF."""
    if not raw[:1024].lstrip().startswith(b"%PDF-"):
        raise UploadRefused("This is not a PDF file.")
    tail = raw[-2048:]
    if b"%%EOF" not in tail or b"startxref" not in raw[-4096:]:
        raise UploadRefused("This PDF is incomplete or damaged. Please save it again.")
    if _PDF_ACTIVE.search(raw):
        raise UploadRefused("PDFs with scripts, actions or attached files are not accepted. "
                            "Please send a plain PDF or a photo.")


def upload_check(upload: UploadedFile | bytes, *, name: str = "",
                 allow_pdf: bool = False) -> CheckedUpload:
    """Check one uploaded file by its content. Images and (where allowed) PDFs pass."""
    if name == "" and not isinstance(upload, bytes | bytearray):
        name = upload.name or ""
    head = upload[:1024] if isinstance(upload, bytes | bytearray) else _peek(upload)
    if head.lstrip().startswith(b"%PDF"):
        if not allow_pdf:
            raise UploadRefused("Please send a photo (JPEG, PNG, HEIC or WebP).")
        raw = read_upload(upload, MAX_PDF_BYTES)
        pdf_check(raw)
        return CheckedUpload(raw, "pdf", PDF_CONTENT_TYPE, clean_file_name(name))
    raw = read_upload(upload, MAX_IMAGE_BYTES)
    try:
        probe = image_probe(raw)
    except NotAnImage as exc:
        kinds = "a photo (JPEG, PNG, HEIC or WebP)" + (" or a PDF" if allow_pdf else "")
        raise UploadRefused(f"This file is not {kinds}: {exc}.") from exc
    return CheckedUpload(raw, "image", f"image/{probe.format.lower()}", clean_file_name(name),
                         probe.width, probe.height)


def _peek(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    return head
