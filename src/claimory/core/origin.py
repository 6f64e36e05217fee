"""The public origin links are built from: CLAIMORY_BASE_URL, never a request's Host header."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

# What `claimory serve` prints when CLAIMORY_BASE_URL is unset (it refuses to start so unless
# told it is behind a proxy, and then sets it from --host/--port).
FALLBACK = "http://127.0.0.1:8000"


def base_url() -> str:
    return settings.BASE_URL or FALLBACK


def base_host() -> str:
    return urlsplit(base_url()).netloc
