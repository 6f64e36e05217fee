"""Response headers for the whole site, with the stricter set for token (portal) pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
