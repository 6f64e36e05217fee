"""Per-claim cap on files sent from the portal, so a leaked link cannot fill the shop's storage.

Counted per claim, not per token (rotating the link must not reset it), in a fixed window
shared by every worker (core/rate_window.py), like the message cap. Every file tried counts,
refused ones too: checking a file costs the server as much as keeping it.
"""

from __future__ import annotations

from claimory.core.rate_window import FixedWindow

FILES_PER_WINDOW = 20
WINDOW_SECONDS = 600
# Files in one post (each file has its own size limit in photos/uploads.py).
MAX_FILES_PER_POST = 10
_FILES = FixedWindow("portalupload", WINDOW_SECONDS)


def retry_after(claim_id: int, files: int) -> int | None:
    """Seconds to wait before ``files`` more may be sent, or None when they fit the cap."""
    return _FILES.retry_after(str(claim_id), FILES_PER_WINDOW - files + 1)


def count_file(claim_id: int) -> None:
    _FILES.hit(str(claim_id))
