"""Inbound MMS media: downloaded at once (Telnyx media URLs are short-lived), checked to be
an image by its bytes, and stored clean (claimory.photos.images)."""

from __future__ import annotations

import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from claimory.photos.images import NotAnImage, image_clean
from claimory.photos.services import StoredImage, image_store

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ITEMS = 10  # Telnyx carries at most 10 media per message
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class MediaError(Exception):
    """One media item could not be kept; ``str(exc)`` says why, for staff."""


@dataclass(frozen=True)
class MediaResult:
    stored: list[StoredImage]
    problems: list[str]  # one line per item that could not be kept


def media_items(payload: dict[str, Any]) -> list[str]:
    """The http(s) URLs of the payload's media list (anything else is skipped)."""
    media = payload.get("media")
    if not isinstance(media, list):
        return []
    urls = []
    for item in media[:MAX_ITEMS]:
        url = item.get("url") if isinstance(item, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) < 2048:
            urls.append(url)
    return urls


def _public_only(request: httpx.Request) -> None:
    """Refuse a URL (or a redirect) whose host resolves to a private, loopback, link-local
    or otherwise non-public address: an inbound payload must not make the server fetch from
    its own network (SSRF). ``SMS_MEDIA_ALLOW_PRIVATE`` lifts this for tests only."""
    if settings.SMS_MEDIA_ALLOW_PRIVATE:
        return
    host = request.url.host
    try:
        infos = socket.getaddrinfo(host, request.url.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise MediaError("the media host could not be resolved") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        mapped = getattr(address, "ipv4_mapped", None)
        if not (mapped or address).is_global:
            raise MediaError("the media host is not a public address")


def _download(client: httpx.Client, url: str) -> bytes:
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise MediaError(f"the provider answered {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise MediaError("larger than 10 MB")
            chunks, total = [], 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > MAX_BYTES:
                    raise MediaError("larger than 10 MB")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise MediaError(f"download failed ({type(exc).__name__})") from exc


def media_fetch(urls: list[str], *, folder: str) -> MediaResult:
    """Download, check and store each image under ``folder``. Never raises for one bad item:
    what could not be kept is listed in ``problems`` (video, audio and vCards are not kept)."""
    stored: list[StoredImage] = []
    problems: list[str] = []
    if not urls:
        return MediaResult(stored, problems)
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True, max_redirects=3,
                      event_hooks={"request": [_public_only]}) as client:
        for number, url in enumerate(urls, start=1):
            try:
                image, thumb = image_clean(_download(client, url))
            except (MediaError, NotAnImage) as exc:
                log.info("MMS media %s not kept: %s", number, exc)
                problems.append(f"Attachment {number} not kept: {exc}.")
                continue
            stored.append(image_store(image, thumb, folder=folder))
    return MediaResult(stored, problems)
