"""What every bench needs to run a server of its own: a free loopback port and a wait for it."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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


@dataclass
class SeededDemo:
    data_dir: Path
    port: int
    origin: str
    env: dict  # the server's environment, SECRET_KEY included
    printed: str  # what `claimory demo --no-serve` printed (portal URL, API key)


def seed_demo(prefix: str) -> SeededDemo:
    """A fresh demo shop on its own SQLite data dir, ready for a server on a free port."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(CLAIMORY_DATA_DIR=str(data_dir), CLAIMORY_BASE_URL=origin)
    printed = subprocess.run([sys.executable, "-m", "claimory.cli", "demo", "--no-serve"],
                             env=env, capture_output=True, text=True, check=True).stdout
    env["SECRET_KEY"] = (data_dir / "secret_key").read_text().strip()
    return SeededDemo(data_dir=data_dir, port=port, origin=origin, env=env, printed=printed)


@contextlib.contextmanager
def uvicorn_serving(demo: SeededDemo, workers: int, *extra: str):
    """``uvicorn claimory.asgi:application`` for ``demo`` on its port, logging to a file in
    its data dir (as in production, so a terminal is not what gets measured); stopped and the
    data dir removed on the way out."""
    log_path = demo.data_dir / "server.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "claimory.asgi:application", "--host", "127.0.0.1",
         "--port", str(demo.port), "--workers", str(workers), *extra, "--log-level", "warning"],
        env=demo.env, stdout=log, stderr=log)
    try:
        wait_until_up(demo.port, server, log=log_path)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        shutil.rmtree(demo.data_dir, ignore_errors=True)


def scratch_django(data_dir: Path) -> None:
    """Django set up on a scratch SQLite data dir, migrated (benches that call code in
    process rather than through a server)."""
    import os
    import sys

    root = Path(__file__).resolve().parents[1]
    os.environ["CLAIMORY_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["DJANGO_SETTINGS_MODULE"] = "claimory.settings"
    sys.path[:0] = [str(root / "src"), str(root)]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
