"""Retrying an idempotent read once when a long-lived pool thread's connection broke."""

from __future__ import annotations

import functools

from django.db import InterfaceError, OperationalError, connection


def reconnecting(fn):
    """Retry once on a fresh connection (server restart, idle timeout). Only for reads that
    are safe to repeat: the raw-ASGI pool threads keep their connection between calls."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (OperationalError, InterfaceError):
            connection.close()
            return fn(*args, **kwargs)

    return wrapper
