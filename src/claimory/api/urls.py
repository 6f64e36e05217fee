"""URLs of API v1 (mounted at /api/v1/): ninja's routes, with JSON answers for misses too."""

from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from claimory.api.errors import index_view, json_method_errors, not_found_view
from claimory.api.v1 import api

app_name = "api"


def _patterns() -> list:
    patterns = []
    for pattern in api.urls[0]:
        if not isinstance(pattern, URLPattern):
            patterns.append(pattern)
        elif pattern.name == "api-root":
            # ninja reverses "api-root" to find the prefix of the OpenAPI paths; keep the
            # name, answer with a JSON index instead of ninja's HTML 404.
            patterns.append(path("", index_view, name="api-root"))
        else:
            # The API authenticates by bearer key, never by cookie: CSRF cannot apply, and
            # its HTML 403 must not answer for any /api/v1/ path (openapi.json, docs too).
            pattern.callback = csrf_exempt(json_method_errors(pattern.callback))
            patterns.append(pattern)
    return patterns


urlpatterns = [
    *_patterns(),
    re_path(r"^(?P<rest>.*)$", not_found_view, name="not_found"),
]
