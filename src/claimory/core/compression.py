"""Content-coding for responses we compress ourselves (the cached portal page).

Brotli when the client takes it (and the optional ``brotli`` package is installed), gzip
otherwise. Quality is chosen for a body compressed once and sent many times, yet cheap enough
to do on every re-render: brotli 5 is within ~10 % of its best on a 12 KB page at ~1 ms.
"""

from __future__ import annotations

import gzip

try:
    import brotli
except ImportError:  # pragma: no cover - brotli ships with whitenoise[brotli]
    brotli = None

ENCODINGS = ("br", "gzip") if brotli is not None else ("gzip",)
BROTLI_QUALITY = 5
GZIP_LEVEL = 6


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    raise ValueError(f"unknown content-coding {encoding!r}")


def negotiate(accept_encoding: str) -> str | None:
    """The coding to use for an Accept-Encoding value (None: send the body as it is).

    Honours ``q=0`` (refused); among the codings the client accepts, ours are tried in
    order of preference rather than by the client's q-values, which browsers send equal.
    """
    accepted: set[str] = set()
    refused: set[str] = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.partition(";")
        name, params = name.strip(), params.strip()
        try:
            weight = float(params[2:]) if params.startswith("q=") else 1.0
        except ValueError:
            weight = 1.0
        if name:
            (accepted if weight > 0 else refused).add(name)
    for encoding in ENCODINGS:
        if encoding in accepted or ("*" in accepted and encoding not in refused):
            return encoding
    return None
