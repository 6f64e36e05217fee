"""A fake Telnyx API on loopback: a real HTTP server in a thread, for the adapter, the
worker subprocess and the number pages.

It speaks the few endpoints Claimory uses, Telnyx-shaped:
- ``POST /v2/messages``: records the text and answers ``{"data": {id, record_type, to:
  [{phone_number, status: "queued"}], …}}``. An ``Idempotency-Key`` seen before gets the
  first answer again and sends nothing (``messages`` holds each text once, ``attempts``
  every request). Tell it to ``fail_next(n, status=500|429)``, to refuse numbers with 40300
  (``opted_out``), or to ``hold_next_send(seconds)``: record the text, then keep the answer
  back (the SIGKILL test kills the worker meanwhile).
- ``GET /v2/available_phone_numbers`` and ``POST/GET /v2/number_orders``: an order is
  ``pending`` until it has been polled ``order_pending_polls`` times, then ``success``.
- Webhooks: ``event(...)``/``receipt(...)`` build Telnyx-shaped event bodies; ``signed``
  signs a body with the test ed25519 key (``public_key_b64`` goes in TELNYX_PUBLIC_KEY);
  ``post_webhook(url, body)`` POSTs it signed to a live server.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

API_KEY = "KEY_fake_telnyx_test"


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class SentText:
    id: str
    idempotency_key: str
    body: dict[str, Any]

    @property
    def to(self) -> str:
        return self.body.get("to", "")

    @property
    def text(self) -> str:
        return self.body.get("text", "")


@dataclass
class NumberOrderState:
    id: str
    phone_number: str
    messaging_profile_id: str
    polls: int = 0
    status: str = "pending"


@dataclass
class FakeTelnyx:
    api_key: str = API_KEY
    messages: list[SentText] = field(default_factory=list)  # accepted texts, once each
    attempts: list[dict[str, Any]] = field(default_factory=list)  # every POST /v2/messages
    opted_out: set[str] = field(default_factory=set)
    searches: list[dict[str, list[str]]] = field(default_factory=list)
    orders: dict[str, NumberOrderState] = field(default_factory=dict)
    order_pending_polls: int = 1  # GETs answered "pending" before "success"
    order_fails: bool = False

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, dict[str, Any]] = {}
        self._failures: list[tuple[int, float | None]] = []
        self._hold: float = 0.0
        self._hold_match = ""
        self.send_received = threading.Event()  # set when a text is recorded
        self._release = threading.Event()
        self.private_key = Ed25519PrivateKey.generate()
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_key_b64 = base64.b64encode(raw).decode()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="fake-telnyx")

    # Lifecycle

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTelnyx:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    # Scripting

    def fail_next(self, count: int = 1, *, status: int = 500,
                  retry_after: float | None = None) -> None:
        with self._lock:
            self._failures.extend([(status, retry_after)] * count)

    def hold_next_send(self, seconds: float, *, containing: str = "") -> None:
        """Record the next new text (whose text contains ``containing``), then hold its
        answer back up to ``seconds``; ``send_received`` is set once it is recorded."""
        self._hold, self._hold_match = seconds, containing
        self.send_received.clear()

    def wait_for_send(self, timeout: float = 10) -> bool:
        return self.send_received.wait(timeout)

    # Messages

    def _send(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        with self._lock:
            self.attempts.append({"idempotency_key": key, "body": body})
            if self._failures:
                status, retry_after = self._failures.pop(0)
                title = "Too many requests" if status == 429 else "Internal error"
                return status, {"errors": [{"code": str(status * 100 if status == 429
                                                         else 10001),
                                            "title": title, "detail": "Try again later."}],
                                "_retry_after": retry_after}, 0.0
            if key and key in self._by_key:
                return 200, self._by_key[key], 0.0
            if not body.get("from") or not body.get("to") or not (
                    body.get("text") or body.get("media_urls")):
                return 422, {"errors": [{"code": "10002", "title": "Invalid parameter",
                                         "detail": "from, to and text are required."}]}, 0.0
            if body["to"] in self.opted_out:
                return 400, {"errors": [{"code": "40300", "title": "Blocked due to STOP message",
                                         "detail": "The recipient has opted out."}]}, 0.0
            answer = {"data": self._message(body)}
            if key:
                self._by_key[key] = answer
            self.messages.append(SentText(answer["data"]["id"], key, body))
            hold = 0.0
            if self._hold and self._hold_match in body.get("text", ""):
                hold, self._hold = self._hold, 0.0
                self.send_received.set()
            elif not self._hold:
                self.send_received.set()
        return 200, answer, hold

    @staticmethod
    def _message(body: dict[str, Any]) -> dict[str, Any]:
        media = body.get("media_urls") or []
        return {
            "record_type": "message", "direction": "outbound", "id": str(uuid.uuid4()),
            "type": "MMS" if media else "SMS",
            "messaging_profile_id": body.get("messaging_profile_id", ""),
            "from": {"phone_number": body.get("from"), "carrier": "Telnyx",
                     "line_type": "Wireline"},
            "to": [{"phone_number": body.get("to"), "status": "queued",
                    "carrier": "T-Mobile USA", "line_type": "Wireless"}],
            "text": body.get("text", ""), "media": [{"url": u} for u in media],
            "webhook_url": body.get("webhook_url", ""), "encoding": "GSM-7", "parts": 1,
            "received_at": _now_iso(), "sent_at": None, "completed_at": None, "errors": [],
        }

    # Numbers

    def _search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        self.searches.append(query)
        area = (query.get("filter[national_destination_code]") or ["512"])[0]
        city = (query.get("filter[locality]") or ["Austin"])[0]
        limit = int((query.get("filter[limit]") or ["10"])[0])
        data = [{
            "record_type": "available_phone_number", "phone_number": f"+1{area}555{n:04d}",
            "vanity_format": None, "best_effort": False, "quickship": True, "reservable": True,
            "region_information": [{"region_type": "location", "region_name": city},
                                   {"region_type": "state", "region_name": "TX"},
                                   {"region_type": "country_code", "region_name": "US"}],
            "features": [{"name": "sms"}, {"name": "mms"}, {"name": "voice"}],
        } for n in range(1, min(limit, 5) + 1)]
        return {"data": data, "metadata": {"total_results": len(data)}}

    def _order_create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        numbers = body.get("phone_numbers") or []
        if not numbers or not numbers[0].get("phone_number"):
            return 422, {"errors": [{"code": "10002", "title": "Invalid parameter",
                                     "detail": "phone_numbers is required."}]}
        order = NumberOrderState(str(uuid.uuid4()), numbers[0]["phone_number"],
                                 body.get("messaging_profile_id", ""))
        with self._lock:
            self.orders[order.id] = order
        return 200, {"data": self._order_json(order)}

    def _order_get(self, order_id: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            order = self.orders.get(order_id)
            if order is None:
                return 404, {"errors": [{"code": "10005", "title": "Resource not found"}]}
            order.polls += 1
            if order.polls > self.order_pending_polls:
                order.status = "failure" if self.order_fails else "success"
            return 200, {"data": self._order_json(order)}

    @staticmethod
    def _order_json(order: NumberOrderState) -> dict[str, Any]:
        return {"record_type": "number_order", "id": order.id, "status": order.status,
                "messaging_profile_id": order.messaging_profile_id,
                "phone_numbers_count": 1, "created_at": _now_iso(),
                "phone_numbers": [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, order.id)),
                                   "record_type": "number_order_phone_number",
                                   "phone_number": order.phone_number,
                                   "status": order.status}]}

    # Webhooks

    @staticmethod
    def event(event_type: str, payload: dict[str, Any], *, event_id: str = "",
              occurred_at: dt.datetime | None = None) -> str:
        when = (occurred_at or dt.datetime.now(dt.UTC)).isoformat().replace("+00:00", "Z")
        return json.dumps({"data": {"event_type": event_type, "id": event_id or str(uuid.uuid4()),
                                    "occurred_at": when, "payload": payload,
                                    "record_type": "event"},
                           "meta": {"attempt": 1, "delivered_to": "http://127.0.0.1/"}})

    def receipt(self, message: SentText, status: str, *, event_type: str = "",
                occurred_at: dt.datetime | None = None, event_id: str = "",
                errors: list[dict[str, Any]] | None = None) -> str:
        """A ``message.sent`` (status sent) or ``message.finalized`` body for ``message``."""
        payload = {**self._message(message.body), "id": message.id,
                   "to": [{"phone_number": message.to, "status": status}],
                   "errors": errors or []}
        event_type = event_type or ("message.sent" if status == "sent" else "message.finalized")
        return self.event(event_type, payload, event_id=event_id, occurred_at=occurred_at)

    @staticmethod
    def inbound(*, from_number: str, to_number: str, text: str,
                media: list[dict[str, str]] | None = None, event_id: str = "") -> str:
        """A ``message.received`` body: the customer texted the shop's number."""
        return FakeTelnyx.event("message.received", {
            "record_type": "message", "direction": "inbound", "id": str(uuid.uuid4()),
            "type": "MMS" if media else "SMS", "text": text,
            "from": {"phone_number": from_number, "carrier": "T-Mobile USA",
                     "line_type": "Wireless"},
            "to": [{"phone_number": to_number, "status": "webhook_delivered"}],
            "media": media or [], "received_at": _now_iso()}, event_id=event_id)

    def signed(self, body: str | bytes, *, timestamp: int | None = None) -> dict[str, str]:
        """The headers Telnyx sends with ``body``."""
        raw = body.encode() if isinstance(body, str) else body
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.private_key.sign(stamp.encode() + b"|" + raw)
        return {"telnyx-signature-ed25519": base64.b64encode(signature).decode(),
                "telnyx-timestamp": stamp}

    def post_webhook(self, url: str, body: str, *, timestamp: int | None = None) -> httpx.Response:
        return httpx.post(url, content=body.encode(), timeout=10,
                          headers={"Content-Type": "application/json",
                                   "User-Agent": "telnyx-webhooks", **self.signed(body,
                                                                                  timestamp=timestamp)})

    def _wait_released(self, seconds: float) -> None:
        self._release.wait(seconds)


def _handler_for(fake: FakeTelnyx) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet tests
            return

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            retry_after = body.pop("_retry_after", None)
            raw = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                if retry_after is not None:
                    self.send_header("Retry-After", str(retry_after))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client (a killed worker) is gone

        def _authorized(self) -> bool:
            if self.headers.get("Authorization") == f"Bearer {fake.api_key}":
                return True
            self._answer(401, {"errors": [{"code": "10009", "title": "Authentication failed"}]})
            return False

        def _json_body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            try:
                body = json.loads(raw)
            except ValueError:
                return {}
            return body if isinstance(body, dict) else {}

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self._json_body()
            if not self._authorized():
                return
            path = urlsplit(self.path).path
            if path == "/v2/messages":
                status, answer, hold = fake._send(self.headers.get("Idempotency-Key", ""), body)
                if hold:
                    fake._wait_released(hold)
                self._answer(status, answer)
            elif path == "/v2/number_orders":
                self._answer(*fake._order_create(body))
            else:
                self._answer(404, {"errors": [{"code": "10005", "title": "Not found"}]})

        def do_GET(self) -> None:  # noqa: N802
            if not self._authorized():
                return
            parts = urlsplit(self.path)
            if parts.path == "/v2/available_phone_numbers":
                self._answer(200, fake._search(parse_qs(parts.query)))
            elif parts.path.startswith("/v2/number_orders/"):
                self._answer(*fake._order_get(parts.path.rsplit("/", 1)[1]))
            else:
                self._answer(404, {"errors": [{"code": "10005", "title": "Not found"}]})

    return Handler
