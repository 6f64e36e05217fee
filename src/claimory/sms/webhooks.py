"""`POST /webhooks/telnyx`: Telnyx's signed callbacks, verified, stored once, answered fast.

The ed25519 signature (``telnyx-signature-ed25519``, base64) covers
``f"{telnyx-timestamp}|{raw body}"`` and is checked with ``TELNYX_PUBLIC_KEY`` before
anything touches the database; a timestamp more than ``TOLERANCE_SECONDS`` from now is
refused so a captured request cannot be replayed later. Processing happens in the worker
(sms/events.py): Telnyx waits only 2 seconds for the answer.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from claimory.sms.events import BadEvent, event_store

log = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 256 * 1024  # Telnyx events are a few KB; MMS carries URLs, not media


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _public_key() -> Ed25519PublicKey:
    configured = settings.TELNYX_PUBLIC_KEY
    if not configured:
        raise Refused(503, "Telnyx webhooks are not accepted here: TELNYX_PUBLIC_KEY is not "
                           "set, and unsigned webhooks are never accepted.")
    try:
        raw = base64.b64decode(configured, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as exc:
        log.error("TELNYX_PUBLIC_KEY is not a base64 32-byte ed25519 key")
        raise Refused(503, "TELNYX_PUBLIC_KEY is not a base64 ed25519 public key.") from exc


def signature_verify(*, body: bytes, signature: str, timestamp: str,
                     now: float | None = None) -> None:
    """Raise Refused unless ``signature`` signs ``timestamp|body`` and is fresh."""
    key = _public_key()
    if not signature or not timestamp:
        raise Refused(401, "Missing telnyx-signature-ed25519 or telnyx-timestamp header.")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise Refused(401, "telnyx-timestamp is not a Unix time.") from exc
    if abs((now if now is not None else time.time()) - sent_at) > TOLERANCE_SECONDS:
        raise Refused(401, "telnyx-timestamp is more than 5 minutes from now.")
    try:
        decoded = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Refused(401, "telnyx-signature-ed25519 is not base64.") from exc
    if len(decoded) != 64:
        raise Refused(401, "telnyx-signature-ed25519 is not an ed25519 signature.")
    try:
        key.verify(decoded, timestamp.encode() + b"|" + body)
    except InvalidSignature as exc:
        raise Refused(401, "The signature does not match the body.") from exc


def _refuse(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def telnyx_webhook(request: HttpRequest) -> JsonResponse:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return _refuse(413, f"Webhook bodies are limited to {MAX_BODY_BYTES} bytes.")
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return _refuse(413, f"Webhook bodies are limited to {MAX_BODY_BYTES} bytes.")
    try:
        signature_verify(body=body,
                         signature=request.headers.get("telnyx-signature-ed25519", ""),
                         timestamp=request.headers.get("telnyx-timestamp", ""))
        text = body.decode("utf-8")
    except Refused as exc:
        log.warning("telnyx webhook refused: %s", exc.message)
        return _refuse(exc.status, exc.message)
    except UnicodeDecodeError:
        return _refuse(400, "The body is not UTF-8.")
    try:
        row, created = event_store("telnyx", text)
    except BadEvent as exc:
        return _refuse(400, str(exc))
    return JsonResponse({"status": "stored" if created else "duplicate",
                         "event_id": row.event_id})
