"""Static files as served: hashed names, far-future caching, gzip and brotli copies.

``collectstatic`` writes them (``claimory serve`` and ``claimory demo`` run it first); WhiteNoise
then serves each hashed file with a one-year ``immutable`` Cache-Control and the compressed copy
the browser accepts.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, minus the 500 when collectstatic never ran.

    With no manifest at all (``uvicorn claimory.asgi`` started by hand on a fresh data dir),
    files get their plain URLs, which WhiteNoise still serves from the source tree,
    uncompressed and briefly cached, and a warning says what to run. Once a manifest exists,
    a name missing from it is an error, as in Django.
    """

    _warned = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            if self.hashed_files:
                raise
            if not StaticStorage._warned:
                StaticStorage._warned = True
                logger.warning("static files are not collected: run `claimory collectstatic` "
                               "(serve and demo do it) for hashed, compressed files")
            return name


def _fingerprint() -> str:
    """Every source static file's path, size and mtime, and how they are stored."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect() -> None:
    """Bring STATIC_ROOT up to date; skipped when no source file changed since the last run.

    A full run hashes and compresses ~400 files (the admin's among them) at brotli's best:
    seconds of CPU that a restart should not pay again.
    """
    root = Path(settings.STATIC_ROOT)
    stamp = root.with_name(root.name + ".collected")  # beside STATIC_ROOT: never served
    fingerprint = _fingerprint()
    if root.is_dir() and stamp.exists() and stamp.read_text() == fingerprint:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)
