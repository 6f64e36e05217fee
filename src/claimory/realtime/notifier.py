"""Doorbell for new claim events: rings this process's hub and the cross-process backend.

``publish`` is called by claims.events after commit, from whatever thread committed. It carries
only (claim id, seq); listeners read the events themselves from the table, so a doorbell lost
on the way only delays an update until the next poll, never loses it.
"""

from __future__ import annotations

import logging

from claimory.realtime import hub
from claimory.realtime.backends import get_backend

logger = logging.getLogger(__name__)


def publish(claim_id: int, seq: int) -> None:
    """Tell listeners that claim ``claim_id`` has events up to ``seq``. Never raises."""
    local = hub.current()
    if local is not None:
        try:
            local.ring_threadsafe(claim_id, seq)
        except RuntimeError:  # the hub's loop has closed (server shutting down)
            pass
    try:
        get_backend().publish(claim_id, seq)
    except Exception:  # noqa: BLE001 - a doorbell failure must never fail the change
        logger.warning("event doorbell failed for claim %s", claim_id, exc_info=True)
