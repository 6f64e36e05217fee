"""Response headers for the whole site (stricter for token pages), and the NUL guard."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse

PORTAL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
STAFF_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)


def is_capability_path(path: str) -> bool:
    return path.startswith("/c/")


class SecurityHeadersMiddleware:
    """Adds CSP everywhere; portal paths also get no-referrer, no-store and noindex."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_capability_path(request.path):
            response["Referrer-Policy"] = "no-referrer"
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex, nofollow"
            response.setdefault("Content-Security-Policy", PORTAL_CSP)
        else:
            response.setdefault("Referrer-Policy", "same-origin")
            response.setdefault("Content-Security-Policy", STAFF_CSP)
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(pairs) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values
                                    if isinstance(value, str))
               for key, values in pairs.lists())


class RejectNulMiddleware:
    """A NUL character in the path, the query or a form answers 404/400 at the edge.

    PostgreSQL refuses NUL in text, so without this any lookup of such a value (a slug, a
    filter) would fail as a 500. No real link or form ever contains one. The API
    (``/api/``) checks its own inputs and answers in JSON, so it is left to it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            if "\x00" in request.path:
                raise Http404("No such page.")
            if _has_nul(request.GET) or (
                    request.method == "POST" and request.content_type in FORM_TYPES
                    and _has_nul(request.POST)):
                raise BadRequest("Text with a NUL character is never valid here.")
        return self.get_response(request)
