"""Starting a real server process for a test: a free loopback port and a wait for /healthz."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(origin: str, proc: subprocess.Popen, *, timeout: float = 30,
                  log_path: Path | None = None) -> None:
    """Poll ``origin``/healthz until it answers 200; raise with the server's log if the
    process exits or ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{origin}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log = log_path.read_text() if log_path and log_path.exists() else "(no log)"
            raise RuntimeError(f"server at {origin} did not start:\n{log}")
        time.sleep(0.1)
