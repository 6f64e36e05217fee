"""Where uploaded files live: the data dir by default, an S3-compatible bucket when configured.

Read by settings.py, so it imports nothing from Django. Either way files are private: nothing
links to the storage directly; every photo and document is streamed through a view gated by
a staff session or the claim's token (photos/serving.py), so the bucket needs no public ACL
and its URLs are never handed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def default_storage_config(env: Mapping[str, str]) -> dict[str, Any]:
    """STORAGES["default"] from the environment.

    ``CLAIMORY_S3_BUCKET`` switches to django-storages' S3 backend (install the ``s3`` extra);
    ``CLAIMORY_S3_ENDPOINT_URL`` points it at any S3-compatible service (MinIO, R2, Spaces…),
    ``CLAIMORY_S3_REGION`` and ``CLAIMORY_S3_PREFIX`` are optional; credentials come the usual
    boto3 way (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, a profile or a role).
    """
    bucket = env.get("CLAIMORY_S3_BUCKET", "").strip()
    if not bucket:
        # No fixed location: FileSystemStorage follows MEDIA_ROOT (tests move it).
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": "private",
        "file_overwrite": False,  # names are random; never replace a stored file
        "querystring_auth": True,  # were a URL ever made, it would expire
    }
    for option, variable in (("endpoint_url", "CLAIMORY_S3_ENDPOINT_URL"),
                             ("region_name", "CLAIMORY_S3_REGION"),
                             ("location", "CLAIMORY_S3_PREFIX")):
        value = env.get(variable, "").strip()
        if value:
            options[option] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
