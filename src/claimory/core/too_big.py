"""A request body over DATA_UPLOAD_MAX_MEMORY_SIZE answers 413, never a 400 with a traceback.

Django raises ``RequestDataTooBig`` wherever the body is first read (a middleware reading
``request.POST``, a view reading ``request.body``) and its handler turns that into a 400 plus an
ERROR log with a traceback. The middleware refuses such a body up front from its
Content-Length, before anything reads it; ``bad_request`` catches the cases Content-Length
cannot show (a multipart form whose text fields are too big). The API answers its own 413.

A multipart body (files) is not held to that limit, but to ``MAX_UPLOAD_REQUEST_BYTES`` as a
whole (``CLAIMORY_MAX_UPLOAD_REQUEST_BYTES``): a phone sending a dozen photos at once is fine,
a client streaming gigabytes to fill the disk is refused from its Content-Length, on every
path (the API's included), before Django spools a byte of it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

NO_BODY_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def _message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (f"Too large to send: the limit is {limit / 1024 / 1024:.1f} MB "
            f"({limit:,} bytes). Please send less text.")


def _upload_message() -> str:
    limit = settings.MAX_UPLOAD_REQUEST_BYTES
    return (f"Too large to send at once: the limit is {limit / 1024 / 1024:.0f} MB per "
            "upload. Please send fewer or smaller files at a time.")


def too_big_response(request: HttpRequest, message: str | None = None) -> HttpResponse:
    message = message or _message()
    if request.path.startswith("/api/"):
        from claimory.api.errors import json_error

        return json_error(413, "payload_too_large", message)
    wants_json = (request.content_type == "application/json"
                  or "application/json" in request.headers.get("Accept", "")
                  or request.headers.get("X-Requested-With") in ("fetch", "XMLHttpRequest"))
    if wants_json:
        return JsonResponse({"error": message}, status=413)
    return HttpResponse(message + "\n", status=413, content_type="text/plain; charset=utf-8")


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _upload_too_big(request: HttpRequest) -> bool:
    """A multipart body larger than the whole-request cap for uploads."""
    limit = settings.MAX_UPLOAD_REQUEST_BYTES
    if not limit or request.method in NO_BODY_METHODS:
        return False
    return (request.content_type == "multipart/form-data"
            and _content_length(request) > limit)


def _declared_too_big(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.method in NO_BODY_METHODS:
        return False
    # Multipart bodies may legitimately be large (files); only their text fields are limited.
    if request.content_type == "multipart/form-data":
        return False
    return _content_length(request) > limit


class RequestTooBigMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _upload_too_big(request):
            return too_big_response(request, _upload_message())
        if not request.path.startswith("/api/") and _declared_too_big(request):
            return too_big_response(request)
        return self.get_response(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: Django's own page, except a too-big body, which is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return too_big_response(request)
    return defaults.bad_request(request, exception)
