"""The shared staff stream's wiring: the worker script on every staff page, named per user,
allowed by the CSP as a same-origin script, and both scripts valid JavaScript."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

STATIC = Path(settings.BASE_DIR) / "static/backoffice"


def test_staff_pages_load_the_stream_hub_before_live_js(desk_client, front_desk):
    page = desk_client.get(reverse("backoffice:board")).content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    hub = (f'<script id="live-stream" src="/static/backoffice/live-stream.js" '
           f'data-user="{front_desk.pk}" defer>')
    assert hub in scripts
    assert scripts.index(hub) < scripts.index('<script src="/static/backoffice/live.js" defer>')


def test_csp_lets_the_same_origin_worker_run_and_nothing_else(desk_client):
    csp = desk_client.get(reverse("backoffice:board"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    # No worker-src: workers fall back to script-src, which is this origin only.
    assert "worker-src" not in directives and "child-src" not in directives
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"


def test_hub_keeps_last_event_id_and_names_the_worker_per_user():
    hub = (STATIC / "live-stream.js").read_text()
    live = (STATIC / "live.js").read_text()
    assert 'params.set("last_event_id", lastId)' in hub and "new EventSource(" in hub
    assert "new EventSource(" not in live  # the page never opens its own
    assert "new SharedWorker(hubScript.src, { name: `claimory-live-${hubScript.dataset.user}` })" \
        in live
    assert "navigator.locks.request(" in live and "new BroadcastChannel(" in live
    for source in (hub, live):
        for banned in ("eval(", "new Function", "document.write", "http://", "https://"):
            assert banned not in source


@pytest.mark.skipif(not shutil.which("node"), reason="node not installed")
@pytest.mark.parametrize("name", ["live.js", "live-stream.js"])
def test_script_parses(name):
    done = subprocess.run(["node", "--check", str(STATIC / name)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
