"""Running the ASGI server and the background worker for `claimory serve` and `claimory demo`."""

from __future__ import annotations

import os
import subprocess
import sys

import uvicorn
from django.conf import settings


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def public_origin(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - display only
    return f"http://{shown}:{port}"


def run_uvicorn(*, host: str, port: int, workers: int) -> None:
    # Forwarded headers (client address, https) only from the proxies the operator named;
    # with none named, nobody's X-Forwarded-* is believed, 127.0.0.1 included.
    trusted = settings.TRUSTED_PROXIES
    # log_config=None: uvicorn keeps our LOGGING (which redacts portal tokens from access logs).
    uvicorn.run(
        "claimory.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=True,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=",".join(trusted) or None,
        timeout_graceful_shutdown=3,
        lifespan="off",
    )


def start_worker_process() -> subprocess.Popen:
    """`claimory worker` as a child process; it dies with the parent's process group."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "claimory.cli", "worker"], env=os.environ.copy()
    )
