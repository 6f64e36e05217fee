"""A local fake OpenAI-compatible server: records chat-completions requests and answers
with a canned completion (or an error status), on loopback in a thread."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeLLM:
    reply: str = "Hi Maria, your Accord is in body work and on track for Friday."
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def last_prompt(self) -> str:
        """Everything the model was told in the last request, as one string."""
        messages = self.requests[-1]["json"]["messages"]
        return "\n".join(m["content"] for m in messages)

    def start(self) -> FakeLLM:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "json": json.loads(raw or b"{}")})
                if self.path != "/v1/chat/completions":
                    return self._answer(404, {"error": {"message": "not found"}})
                if fake.status != 200:
                    return self._answer(fake.status, {"error": {"message": "down"}})
                return self._answer(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "model": "fake",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": fake.reply}}]})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
