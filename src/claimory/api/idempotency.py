"""`Idempotency-Key` for API writes: a retried request gets the first answer, never a 2nd claim.

Use ``@decorate_view(idempotent)`` on a ninja route. The first request with a key reserves it
(a row under a unique constraint) before any work; a retry with the same key and the same
request replays the stored status and body; the same key with another body, or a retry while
the first is still running, is a 409. Only successful (2xx) answers are kept: after a
4xx/5xx the key is released, so the client can fix the request and retry with it. Keys are
per API key and expire after ``TTL``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone

from claimory.api.auth import ApiKeyAuth
from claimory.api.errors import json_error
from claimory.api.models import IdempotentRequest
from claimory.shops.models import ApiKey

HEADER = "Idempotency-Key"
TTL = dt.timedelta(hours=24)
# A reservation never completed this long (the worker died mid-request) is taken over.
ABANDONED = dt.timedelta(minutes=2)
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # printable ASCII, no spaces: UUIDs, ULIDs, hashes
_KEY = re.compile(KEY_PATTERN)


def _multipart_body(request: HttpRequest) -> str:
    """A multipart form as its fields and each file's hash: its boundary differs per send,
    and reading it whole as ``request.body`` would hold every file in memory."""
    parts = sorted((name, value) for name in request.POST for value in request.POST.getlist(name))
    for field in sorted(request.FILES):
        for upload in request.FILES.getlist(field):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            parts.append((field, f"{upload.name}:{digest.hexdigest()}"))
    return json.dumps(parts)


def fingerprint(request: HttpRequest) -> str:
    """Same request = same method, path and JSON (whitespace and key order do not count), or
    the same form fields and file contents."""
    if request.content_type == "multipart/form-data":
        body = _multipart_body(request)
        return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()
    try:
        body = json.dumps(json.loads(request.body or b"null"), sort_keys=True)
    except ValueError:
        body = request.body.decode("latin-1")
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def reserve(api_key: ApiKey, key: str, digest: str) -> IdempotentRequest | None:
    """Claim ``key`` for this request: None when reserved now, else the earlier request's row."""
    now = timezone.now()
    IdempotentRequest.objects.filter(created_at__lt=now - TTL).delete()
    try:
        with transaction.atomic():
            IdempotentRequest.objects.create(api_key=api_key, key=key, fingerprint=digest,
                                             created_at=now)
            return None
    except IntegrityError:
        earlier = IdempotentRequest.objects.filter(api_key=api_key, key=key).first()
        if earlier is not None and earlier.status == 0 and earlier.created_at < now - ABANDONED:
            IdempotentRequest.objects.filter(pk=earlier.pk, status=0).delete()
            earlier = None
        if earlier is None:  # expired or abandoned, and deleted meanwhile: try once more
            return reserve(api_key, key, digest)
        return earlier


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(row.body, status=row.status,
                            content_type="application/json; charset=utf-8")
    if row.location_header:
        response["Location"] = row.location_header
    response["Cache-Control"] = "no-store"
    response["Idempotent-Replayed"] = "true"
    return response


def answer_for_earlier(row: IdempotentRequest, digest: str) -> HttpResponse:
    if row.fingerprint != digest:
        # 409: the body is fine; the key is already taken by another request.
        return json_error(409, "idempotency_key_reused",
                          f"This {HEADER} was used for a different request. Send a new key "
                          "for a new request.", {HEADER: ["Used for a different request."]})
    if row.status == 0:
        response = json_error(409, "idempotency_key_in_progress",
                              f"A request with this {HEADER} is still running. Retry shortly.")
        response["Retry-After"] = "1"
        return response
    return _replay(row)


def idempotent(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a ninja operation's ``run`` (via ``decorate_view``) with Idempotency-Key handling."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None:
            return run(request, *args, **kwargs)
        # ninja authenticates inside run(); the key's scope is needed before that.
        api_key = ApiKeyAuth()(request)
        if api_key is None:
            return run(request, *args, **kwargs)  # answers the usual 401
        if not _KEY.match(key):
            return json_error(422, "validation_error",
                              f"{HEADER}: 1 to 255 printable ASCII characters, no spaces.",
                              {HEADER: ["1 to 255 printable ASCII characters, no spaces."]})
        try:
            digest = fingerprint(request)
        except (RequestDataTooBig, MultiPartParserError):
            return run(request, *args, **kwargs)  # answers the JSON 413 / 400
        earlier = reserve(api_key, key, digest)
        if earlier is not None:
            return answer_for_earlier(earlier, digest)
        rows = IdempotentRequest.objects.filter(api_key=api_key, key=key)
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            rows.delete()
            raise
        if 200 <= response.status_code < 300:
            rows.update(status=response.status_code, body=response.content.decode(),
                        location_header=response.get("Location", ""))
        else:
            rows.delete()
        return response

    return wrapper
