"""A request body over DATA_UPLOAD_MAX_MEMORY_SIZE answers 413, never a 400 with a traceback.

Django raises ``RequestDataTooBig`` wherever the body is first read (a middleware reading
``request.POST``, a view reading ``request.body``) and its handler turns that into a 400 plus an
ERROR log with a traceback. The middleware refuses such a body up front from its
Content-Length, before anything reads it; ``bad_request`` catches the cases Content-Length
cannot show (a multipart form whose text fields are too big). The API answers its own 413.
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


def too_big_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        from claimory.api.errors import json_error

        return json_error(413, "payload_too_large", _message())
    wants_json = (request.content_type == "application/json"
                  or "application/json" in request.headers.get("Accept", ""))
    if wants_json:
        return JsonResponse({"error": _message()}, status=413)
    return HttpResponse(_message() + "\n", status=413, content_type="text/plain; charset=utf-8")


def _declared_too_big(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.method in NO_BODY_METHODS:
        return False
    # Multipart bodies may legitimately be large (files); only their text fields are limited.
    if request.content_type == "multipart/form-data":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit


class RequestTooBigMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and _declared_too_big(request):
            return too_big_response(request)
        return self.get_response(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: Django's own page, except a too-big body, which is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return too_big_response(request)
    return defaults.bad_request(request, exception)
