"""Browser tests: a real `claimory serve` on a loopback port, driven by Debian's chromium.

The server runs on its own SQLite data dir seeded by `claimory demo --no-serve`, so these
tests see exactly what a shop sees. Without chromium they skip locally; with CI=true they fail.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.server_process import free_port, wait_until_up

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests "
                    "(apt-get install chromium)")
    pytest.skip("Debian chromium not installed (apt-get install chromium)")


@dataclass
class DemoServer:
    origin: str
    portal_url: str
    staff_email: str
    password: str
    api_key: str
    data_dir: Path
    env: dict

    def manage(self, *args: str) -> str:
        """Run a `claimory` command against the server's database; returns stdout."""
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "claimory.cli", *args], env=self.env, capture_output=True,
            text=True, timeout=60, check=True)
        return done.stdout


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> DemoServer:
    _require_chromium()
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    # `serve` refuses to start without a public origin and a real host list.
    env.update(CLAIMORY_DATA_DIR=str(data_dir), CLAIMORY_BASE_URL=origin,
               CLAIMORY_ALLOWED_HOSTS="127.0.0.1,localhost", PYTHONUNBUFFERED="1")
    seeded = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "claimory.cli", "demo", "--no-serve", "--port", str(port)],
        env=env, capture_output=True, text=True, timeout=180, check=True).stdout
    env["SECRET_KEY"] = (data_dir / "secret_key").read_text().strip()
    log = open(data_dir / "server.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "claimory.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(origin, proc, log_path=data_dir / "server.log")
    finally:
        log.flush()
    portal = re.search(r"(http://\S+/c/\S+)", seeded).group(1)
    api_key = re.search(r"^API key: (\S+)$", seeded, re.M).group(1)
    yield DemoServer(origin=origin, portal_url=portal, staff_email="owner@northside.demo",
                     password="claimory-demo", api_key=api_key, data_dir=data_dir, env=env)
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser(demo_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    yield context.new_page()
    context.close()


@pytest.fixture
def staff_page(desktop, demo_server):
    """A desktop page signed in as the demo shop's owner."""
    page = desktop
    page.goto(f"{demo_server.origin}/staff/login/")
    page.get_by_label(re.compile("email|username", re.I)).fill(demo_server.staff_email)
    page.get_by_label(re.compile("password", re.I)).fill(demo_server.password)
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(re.compile(r"/staff/(?!login)"))
    return page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_claim_by_api(server: DemoServer, name: str, **fields) -> dict:
    """A fresh claim for one test (through the public API), so tests never share a car."""
    import datetime as dt

    body = {
        "customer": {"name": name, "phone": "(512) 555-0177", "language": "en"},
        "vehicle": {"year": 2020, "make": "Subaru", "model": "Outback",
                    "vin": "4S4BTACC6L3123456"},
        "carrier": "State Farm",
        "eta": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=9)).isoformat(),
        **fields,
    }
    response = httpx.post(f"{server.origin}/api/v1/claims", json=body, timeout=10,
                          headers={"Authorization": f"Bearer {server.api_key}"})
    assert response.status_code == 201, response.text
    return response.json()
