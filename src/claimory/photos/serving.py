"""Sending a stored photo or file: only ever through a gate (the claim's token or a staff
session), with its true content type, ``nosniff``, and never as something a browser runs."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

from claimory.photos.models import Photo

# URL name of a variant -> (field, content type). Old MMS rows have only ``file`` and
# ``thumbnail`` (JPEG or PNG): their type comes from the stored name.
VARIANTS: dict[str, tuple[str, str]] = {
    "full.jpg": ("file", "image/jpeg"),
    "full.webp": ("file_webp", "image/webp"),
    "thumb.jpg": ("thumbnail", "image/jpeg"),
    "thumb.webp": ("thumbnail_webp", "image/webp"),
}
_BY_EXTENSION = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
                 "webp": "image/webp", "pdf": "application/pdf"}


def content_type_of(path: str) -> str:
    return _BY_EXTENSION.get(path.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def file_response(path: str | None, *, private_seconds: int = 3600,
                  download_name: str | None = None) -> FileResponse:
    """A stored file as a response; Http404 when it is not there."""
    if not path or not default_storage.exists(path):
        raise Http404("No such file")
    content_type = content_type_of(path)
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    response["Cache-Control"] = f"private, max-age={private_seconds}"
    response["X-Content-Type-Options"] = "nosniff"
    # Even opened directly, nothing in it may run or reach the page that linked it.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    if content_type.startswith("image/"):
        response["Content-Disposition"] = "inline"
    else:
        name = (download_name or "file").replace('"', "")
        ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
        response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    return response


def photo_variant_response(photo: Photo, variant: str, *,
                           private_seconds: int = 3600) -> FileResponse:
    """One variant of a ready photo (Http404 for an unknown name or a missing file).
    A PDF answers as a download under the sender's own name whatever variant is asked."""
    if photo.is_pdf:
        return file_response(photo.file.name, private_seconds=private_seconds,
                             download_name=photo.original_name or "document.pdf")
    if variant not in VARIANTS:
        raise Http404("No such variant")
    field, _content_type = VARIANTS[variant]
    path = getattr(photo, field).name
    if not path and field.endswith("_webp"):  # older photos: JPEG only
        path = getattr(photo, field.removesuffix("_webp")).name
    if not path and field == "thumbnail":
        path = photo.file.name
    return file_response(path, private_seconds=private_seconds)
