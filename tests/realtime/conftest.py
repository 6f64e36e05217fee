"""Fixtures for the real-time tests: one scratch database, a driver, and live servers on it."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.realtime.live import Driver, Server, scratch_env

FAST_POLL_MS = "200"


@dataclass
class Live:
    data_dir: Path
    env: dict[str, str]
    driver: Driver
    location: int
    servers: list[Server] = field(default_factory=list)
    drivers: list[Driver] = field(default_factory=list)

    def server(self, **env: str) -> Server:
        """Another server process on the same database, with extra environment."""
        server = Server({**self.env, **env},
                        self.data_dir / f"server-{len(self.servers)}.log")
        self.servers.append(server)
        return server

    def driver_with(self, **env: str) -> Driver:
        driver = Driver({**self.env, **env})
        self.drivers.append(driver)
        return driver

    def claim(self, **fields) -> dict:
        return self.driver("claim", location=self.location, **fields)


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("realtime")
    with scratch_env(data_dir) as env:
        driver = Driver(env)
        rig = Live(data_dir=data_dir, env=env, driver=driver, location=0)
        try:
            driver("migrate")
            rig.location = driver("shop")["location"]
            yield rig
        finally:
            for server in rig.servers:
                server.stop()
            for extra in [driver, *rig.drivers]:
                extra.close()


@pytest.fixture(scope="session")
def server(live) -> Server:
    """The plain configuration: no Redis, so changes from other processes arrive by the poll."""
    return live.server(CLAIMORY_REALTIME_POLL_MS=FAST_POLL_MS)


def _redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    """Redis on loopback; skipped when absent locally, a failure when CI=true."""
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is required in CI")
        pytest.skip("Redis not running at 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/0"


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, never listening)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()
