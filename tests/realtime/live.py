"""Live test rig: uvicorn server processes, a driver process and a raw-socket SSE client.

Everything runs on loopback against one scratch database (a SQLite file, or a fresh
PostgreSQL database when the suite itself runs on PostgreSQL), so the stream is tested the
way it runs: separate processes, real sockets, chunked HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.server_process import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
SECRET = "realtime-tests-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"



def base_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CLAIMORY_NOTIFIER",
                        "CLAIMORY_REALTIME_PREFIX", "CLAIMORY_REALTIME_POLL_MS")}
    env.update(CLAIMORY_DATA_DIR=str(data_dir), SECRET_KEY=SECRET, PYTHONUNBUFFERED="1",
               CLAIMORY_TESTING="1",
               # src first: the server runs this checkout even if another one is installed.
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextlib.contextmanager
def scratch_env(data_dir: Path):
    """A server environment on its own database: a SQLite file in ``data_dir``, or a fresh
    PostgreSQL database (dropped afterwards) when the suite itself runs on PostgreSQL."""
    suite_db = os.environ.get("DATABASE_URL", "")
    postgres = Postgres(suite_db) if suite_db.startswith("postgres") else None
    try:
        yield base_env(data_dir, postgres.create() if postgres else None)
    finally:
        if postgres:
            postgres.drop()


class Postgres:
    """A throwaway database on the suite's PostgreSQL server."""

    def __init__(self, suite_url: str):
        import dj_database_url

        self.params = dj_database_url.parse(suite_url)
        self.name = f"claimory_rt_{uuid.uuid4().hex[:10]}"

    def _admin(self):
        import psycopg

        return psycopg.connect(dbname="postgres", user=self.params["USER"] or None,
                               password=self.params["PASSWORD"] or None,
                               host=self.params["HOST"] or None,
                               port=self.params["PORT"] or None, autocommit=True)

    def create(self) -> str:
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        user = self.params["USER"] or "postgres"
        auth = f"{user}:{self.params['PASSWORD']}" if self.params["PASSWORD"] else user
        return (f"postgres://{auth}@{self.params['HOST'] or '127.0.0.1'}:"
                f"{self.params['PORT'] or 5432}/{self.name}")

    def drop(self) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Driver:
    """A process that changes claims through the services (see driver.py)."""

    def __init__(self, env: dict[str, str]):
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tests.realtime.driver"], cwd=ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def __call__(self, op: str, **args):
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"driver died running {op}")
        answer = json.loads(line)
        if not answer.pop("ok"):
            raise RuntimeError(f"driver {op} failed: {answer['trace']}")
        return answer

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Server:
    """`uvicorn claimory.asgi:application` as `claimory serve` runs it, on a free port."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "claimory.asgi:application", "--host",
             "127.0.0.1", "--port", str(self.port), "--lifespan", "off",
             "--timeout-graceful-shutdown", "2", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(self.origin, self.proc, log_path=log_path)
        except RuntimeError:
            self.stop()
            raise

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


@dataclass
class Event:
    id: str | None
    event: str
    data: dict | None

    @property
    def seq(self) -> int:
        return int(self.id)


@dataclass
class SSEClient:
    """A raw-socket EventSource: de-chunks HTTP/1.1 and parses SSE blocks as they arrive."""

    port: int
    path: str
    last_event_id: int | None = None
    method: str = "GET"
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    events: list[Event] = field(default_factory=list)
    comments: int = 0
    retry: int | None = None
    ended: bool = False

    def __post_init__(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        extra = f"Last-Event-ID: {self.last_event_id}\r\n" if self.last_event_id is not None else ""
        self.sock.sendall(f"{self.method} {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          f"Accept: text/event-stream\r\n{extra}\r\n".encode())
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"no response head: {raw!r}")
            raw += chunk
        head, self._wire = raw.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
        self._text = ""
        if "content-length" in self.headers:  # a plain error answer, not a stream
            while len(self._wire) < int(self.headers["content-length"]):
                self._wire += self.sock.recv(65536)
            self.body, self.ended = self._wire, True
            return
        self._dechunk()

    def _dechunk(self) -> None:
        while not self.ended:
            end = self._wire.find(b"\r\n")
            if end < 0:
                return
            size = int(self._wire[:end], 16)
            if len(self._wire) < end + 2 + size + 2:
                return
            data = self._wire[end + 2:end + 2 + size]
            self._wire = self._wire[end + 4 + size:]
            if size == 0:
                self.ended = True
                return
            self.body += data
            self._text += data.decode()
            self._parse()

    def _parse(self) -> None:
        while "\n\n" in self._text:
            block, self._text = self._text.split("\n\n", 1)
            fields: dict[str, str] = {}
            for line in block.split("\n"):
                if line.startswith(":"):
                    self.comments += 1
                    continue
                name, _, value = line.partition(":")
                fields[name] = value[1:] if value.startswith(" ") else value
            if "retry" in fields:
                self.retry = int(fields["retry"])
            if "data" in fields:
                self.events.append(Event(fields.get("id"), fields.get("event", "message"),
                                         json.loads(fields["data"])))

    def _pump(self, timeout: float) -> None:
        self.sock.settimeout(max(timeout, 0.01))
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return
        if not chunk:
            self.ended = True
            return
        self._wire += chunk
        self._dechunk()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Event]:
        """Read until ``count`` events have arrived; fails with what did arrive."""
        deadline = time.monotonic() + timeout
        while len(self.events) < count and not self.ended:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"waited {timeout}s for {count} events, got {self.events}")
            self._pump(left)
        return self.events

    def listen(self, seconds: float) -> list[Event]:
        """Read everything that arrives for ``seconds`` (to prove nothing more comes)."""
        deadline = time.monotonic() + seconds
        while not self.ended and (left := deadline - time.monotonic()) > 0:
            self._pump(left)
        return self.events

    def wait_ended(self, timeout: float) -> float:
        start = time.monotonic()
        self.listen(timeout)
        assert self.ended, f"stream still open after {timeout}s"
        return time.monotonic() - start

    def close(self) -> None:
        self.sock.close()


def in_own_loop(test):
    """Run an async test in a fresh event loop on its own thread.

    The browser tests hold Playwright's sync API open for the session, which leaves an event
    loop running in the main thread; pytest-asyncio cannot start another one there.
    """

    @functools.wraps(test)
    def run(*args, **kwargs):
        failure: list[BaseException] = []

        def target():
            try:
                asyncio.run(test(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
                failure.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join(60)
        assert not thread.is_alive(), "async test did not finish in 60 s"
        if failure:
            raise failure[0]

    return run
