"""The portal page served by uvicorn, the way it runs: cached pages skip Django yet carry the
same bytes and headers, and a change made through the API shows on the very next load."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.server_process import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("fast-page")
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    # Its own demo shop on the embedded SQLite database, whichever database the suite uses.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(CLAIMORY_DATA_DIR=str(data_dir), CLAIMORY_BASE_URL=origin, PYTHONPATH=str(ROOT))
    seeded = subprocess.run([sys.executable, "-m", "claimory.cli", "demo", "--no-serve"],
                            env=env, capture_output=True, text=True, check=True, timeout=120).stdout
    env["SECRET_KEY"] = (data_dir / "secret_key").read_text().strip()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "claimory.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(origin, proc)
        yield {"origin": origin, "url": re.search(r"(http://\S+/c/\S+)", seeded).group(1),
               "key": re.search(r"API key: (\S+)", seeded).group(1)}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _headers(response):
    return {k: v for k, v in response.headers.items() if k not in ("date",)}


def test_cached_page_has_the_same_bytes_and_headers(server):
    with httpx.Client() as client:
        first = client.get(server["url"])
        replays = [client.get(server["url"]) for _ in range(3)]
    assert first.status_code == 200
    for again in replays:
        assert again.content == first.content and _headers(again) == _headers(first)
    assert first.headers["content-security-policy"].startswith("default-src 'self'")
    assert first.headers["cache-control"] == "private, no-store"


def test_api_stage_change_shows_on_the_next_load(server):
    api = httpx.Client(base_url=server["origin"],
                       headers={"Authorization": f"Bearer {server['key']}"})
    claim = next(c for c in api.get("/api/v1/claims").json()["items"]
                 if c["portal_url"] == server["url"])
    with httpx.Client() as client:
        client.get(server["url"])
        client.get(server["url"])
        for slug, name in (("completed", "Completed"), ("supp_appr", "Supplement approved")):
            assert api.post(f"/api/v1/claims/{claim['id']}/stage",
                            json={"stage": slug}).status_code == 200
            html = client.get(server["url"]).text
            assert re.search(r'<strong class="now-stage">([^<]+)</strong>', html).group(1) == name


def test_unknown_token_is_still_the_uniform_404(server):
    response = httpx.get(server["url"][:-3] + "xyz")
    assert response.status_code == 404 and "cache-control" in response.headers
