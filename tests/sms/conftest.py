"""Texting fixtures: a fake Telnyx on loopback and settings that point Claimory at it; a
location with a texting number, Telnyx-shaped inbound payloads, and a loopback HTTP server
standing in for Telnyx's short-lived media URLs."""

from __future__ import annotations

import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from claimory.core import durable
from tests.sms.fake_telnyx import FakeTelnyx

SHOP_NUMBER = "+15125550199"
MARIA = "+15125550142"  # make_claim's default customer phone
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def payload(text: str | None = "Hi", *, from_: str = MARIA, to: str = SHOP_NUMBER,
            media: list[dict[str, Any]] | None = None, message_id: str = "") -> dict[str, Any]:
    """A Telnyx ``message.received`` payload."""
    return {
        "id": message_id or f"msg-{next(_ids)}", "direction": "inbound",
        "type": "MMS" if media else "SMS", "text": text,
        "from": {"phone_number": from_, "carrier": "T-Mobile", "line_type": "Wireless"},
        "to": [{"phone_number": to, "status": "webhook_delivered"}],
        "media": media or [], "received_at": "2026-12-01T15:04:05.000+00:00",
    }


def send_all() -> int:
    """Run every due outbox row (and provider event) now, as the worker would."""
    total = 0
    while (ran := durable.run_due()):
        total += ran
    return total


class MediaServer:
    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                server.requests.append(self.path)
                found = server.files.get(self.path)
                if found is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                body, content_type = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, body: bytes, content_type: str = "image/jpeg") -> dict[str, Any]:
        self.files[path] = (body, content_type)
        return {"url": f"{self.base}{path}", "content_type": content_type,
                "size": len(body), "hash_sha256": ""}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def media_server(settings):
    settings.SMS_MEDIA_ALLOW_PRIVATE = True  # it serves on 127.0.0.1 (the SSRF guard's job)
    server = MediaServer()
    yield server
    server.close()


@pytest.fixture
def fake_telnyx_server():
    """The fake Telnyx alone (a worker subprocess gets its address in its environment)."""
    fake = FakeTelnyx().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_telnyx(fake_telnyx_server, settings):
    """The fake Telnyx, with TELNYX_API_KEY / _API_BASE / _PUBLIC_KEY set to it: the outbox
    sends through sms/telnyx.py and the webhook verifies the fake's signatures."""
    settings.TELNYX_API_KEY = fake_telnyx_server.api_key
    settings.TELNYX_API_BASE = fake_telnyx_server.base_url
    settings.TELNYX_PUBLIC_KEY = fake_telnyx_server.public_key_b64
    return fake_telnyx_server
