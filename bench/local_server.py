"""What every bench needs to run a server of its own: a free loopback port and a wait for it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, proc: subprocess.Popen, *, timeout: float = 60,
                  log: Path | None = None) -> None:
    """Return once /healthz answers 200; exit the bench with the server's log if it dies or
    ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.terminate()
            tail = log.read_text()[-2000:] if log and log.exists() else ""
            sys.exit(f"server did not start\n{tail}")
        time.sleep(0.2)
