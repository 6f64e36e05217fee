"""A fake OAuth provider on loopback (a real HTTP server in a thread), standing in for Google's
and Microsoft's token endpoints in the connect and refresh tests.

- ``approve(authorize_url, email=…)`` plays the person signing in at the provider: it reads
  the authorize URL Claimory built, remembers its PKCE challenge, and answers the
  ``(code, state)`` the provider would send back to the callback.
- ``POST …/token`` (Google's ``/token`` and Microsoft's ``/<tenant>/oauth2/v2.0/token``):
  ``authorization_code`` checks the client, the redirect URI and the PKCE verifier against the
  challenge it saw (S256), and answers an access token, a refresh token and an ``id_token``
  JWT carrying the email; ``refresh_token`` answers a new access token (and, with
  ``rotate=True`` as Microsoft does, a new refresh token that replaces the old one).
- ``GET /v1/userinfo``: the email of a Bearer access token (Google's fallback).
- Scripting: ``fail_next(n, status=503)``, ``invalid_grant_next()``, ``revoke(refresh)``,
  ``expires_in``, ``email_in_id_token``, ``issue`` (the next access tokens); ``calls``
  counts requests per grant type and ``requests`` keeps every token request's form.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "claimory-test-client"
CLIENT_SECRET = "claimory-test-secret"  # noqa: S105 - a fake provider's fake secret


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def id_token(claims: dict[str, Any]) -> str:
    """A JWT-shaped id_token (the signature is junk: Claimory doesn't check it, rightly,
    for a token straight from the token endpoint)."""
    header = _b64url(json.dumps({"alg": "RS256", "kid": "fake"}).encode())
    payload = _b64url(json.dumps(claims).encode())
    return f"{header}.{payload}.{_b64url(b'not-a-real-signature')}"


@dataclass
class Grant:
    email: str
    challenge: str
    method: str
    redirect_uri: str
    client_id: str
    scope: str
    used: bool = False


@dataclass
class FakeOAuth:
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    expires_in: int = 3600
    rotate: bool = False  # Microsoft: each refresh answers a new refresh token
    email_in_id_token: bool = True
    # Access tokens to hand out next, in order (e.g. the one token the test IMAP server
    # accepts); random ones once it is empty.
    issue: list[str] = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)
    requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.codes: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, str] = {}  # live refresh token -> email
        self.access_tokens: dict[str, str] = {}  # issued access token -> email
        self._failures: list[tuple[int, dict[str, Any]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="fake-oauth")

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeOAuth:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # Scripting

    def fail_next(self, count: int = 1, *, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([(status, {"error": "temporarily_unavailable"})] * count)

    def invalid_grant_next(self, description: str = "Token has been expired or revoked.") -> None:
        with self._lock:
            self._failures.append((400, {"error": "invalid_grant",
                                         "error_description": description}))

    def revoke(self, refresh_token: str) -> None:
        with self._lock:
            self.refresh_tokens.pop(refresh_token, None)

    def approve(self, authorize_url: str, *, email: str = "office@northside.test"
                ) -> tuple[str, str]:
        """The person signs in and consents: the (code, state) sent back to the callback."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = Grant(email=email, challenge=query.get("code_challenge", ""),
                                     method=query.get("code_challenge_method", "plain"),
                                     redirect_uri=query.get("redirect_uri", ""),
                                     client_id=query.get("client_id", ""),
                                     scope=query.get("scope", ""))
        return code, query.get("state", "")

    # The endpoints

    def _issue(self, email: str, *, refresh: bool) -> dict[str, Any]:
        access = self.issue.pop(0) if self.issue else f"ya29.{secrets.token_urlsafe(24)}"
        self.access_tokens[access] = email
        answer: dict[str, Any] = {"access_token": access, "token_type": "Bearer",
                                  "expires_in": self.expires_in}
        if refresh:
            token = f"1//{secrets.token_urlsafe(24)}"
            self.refresh_tokens[token] = email
            answer["refresh_token"] = token
        return answer

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(form)
            grant_type = form.get("grant_type", "")
            self.calls[grant_type] += 1
            if self._failures:
                return self._failures.pop(0)
            if form.get("client_id") != self.client_id or \
                    form.get("client_secret") != self.client_secret:
                return 401, {"error": "invalid_client", "error_description": "Unknown client."}
            if grant_type == "authorization_code":
                return self._redeem(form)
            if grant_type == "refresh_token":
                email = self.refresh_tokens.get(form.get("refresh_token", ""))
                if email is None:
                    return 400, {"error": "invalid_grant",
                                 "error_description": "Token has been expired or revoked."}
                if self.rotate:
                    self.refresh_tokens.pop(form["refresh_token"])
                return 200, self._issue(email, refresh=self.rotate)
            return 400, {"error": "unsupported_grant_type"}

    def _redeem(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = self.codes.get(form.get("code", ""))
        if grant is None or grant.used:
            return 400, {"error": "invalid_grant", "error_description": "Bad code."}
        grant.used = True
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
        verifier = form.get("code_verifier", "")
        expected = _b64url(hashlib.sha256(verifier.encode()).digest())
        if grant.method != "S256" or not 43 <= len(verifier) <= 128 or \
                expected != grant.challenge:
            return 400, {"error": "invalid_grant",
                         "error_description": "Invalid code verifier."}
        answer = self._issue(grant.email, refresh=True)
        claims = {"iss": "fake", "aud": self.client_id, "sub": "12345",
                  "preferred_username": grant.email}
        if self.email_in_id_token:
            claims["email"] = grant.email
        answer["id_token"] = id_token(claims)
        answer["scope"] = grant.scope
        return 200, answer

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls["userinfo"] += 1
            email = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if email is None:
            return 401, {"error": "invalid_token"}
        return 200, {"sub": "12345", "email": email, "email_verified": True}


def _handler_for(fake: FakeOAuth) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            path = urlsplit(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if path == "/token" or path.endswith("/oauth2/v2.0/token"):
                self._answer(*fake.token(form))
            else:
                self._answer(404, {"error": "not_found"})

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if urlsplit(self.path).path == "/v1/userinfo":
                self._answer(*fake.userinfo(self.headers.get("Authorization", "")))
            else:
                self._answer(404, {"error": "not_found"})

    return Handler
