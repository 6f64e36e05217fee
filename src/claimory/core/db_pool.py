"""Keeping PostgreSQL connections bounded by the per-process pool (settings DATABASES).

Django hands a request's connection back to the pool when the request finishes. Two kinds of
code run longer than a request and would otherwise sit on a pooled connection for good: the
raw-ASGI thread pools (portal page fast path, event stream hub, staff feed), whose threads
live as long as the process, and streaming responses (the staff event stream), whose
request lasts as long as the browser stays. Both give the connection back after each use.
On SQLite (no pool) nothing changes: those threads keep their cheap local connection.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connections


def pooled(alias: str = "default") -> bool:
    return bool(connections[alias].settings_dict.get("OPTIONS", {}).get("pool"))


def release() -> None:
    """Give this thread's pooled connections back (a no-op without a pool)."""
    for conn in connections.all(initialized_only=True):
        if conn.settings_dict.get("OPTIONS", {}).get("pool") and not conn.in_atomic_block:
            conn.close()


def _run_then_release(fn: Callable, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    finally:
        release()


class ReleasingExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor whose tasks return their database connection when done."""

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        return super().submit(_run_then_release, fn, *args, **kwargs)


class StreamingResponseReleasesConnection:
    """Middleware: a streaming response (an event stream) gives the request's connection
    back before it starts streaming; otherwise one open staff tab holds one for hours."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming:
            release()
        return response
