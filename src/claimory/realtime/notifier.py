"""Doorbell for new claim events: rings this process's hub and the cross-process backend.

``publish`` is called by claims.events after commit, from whatever thread committed. It carries
only (claim id, seq); listeners read the events themselves from the table, so a doorbell lost
on the way only delays an update until the next poll, never loses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from claimory.realtime import hub
from claimory.realtime.backends import get_backend

logger = logging.getLogger(__name__)

Hook = Callable[[int, int], None]
_hooks: list[Hook] = []


def hook_add(hook: Hook) -> None:
    """Also call ``hook(claim_id, seq)`` on every publish in this process (the staff feed's
    doorbell). A hook runs in the committing thread: it must be quick and thread-safe."""
    if hook not in _hooks:
        _hooks.append(hook)


def hook_remove(hook: Hook) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


def publish(claim_id: int, seq: int) -> None:
    """Tell listeners that claim ``claim_id`` has events up to ``seq``. Never raises."""
    for hook in list(_hooks):
        try:
            hook(claim_id, seq)
        except Exception:  # noqa: BLE001, S110 - a closed listener must never fail the change
            pass
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
