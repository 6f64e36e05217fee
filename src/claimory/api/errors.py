"""The API's one error shape, and the handlers that turn every failure into it.

Every error answer is ``{"error": {"code": str, "message": str, "fields": {path: [str]}}}``.
Field paths are dotted (``customer.phone``, ``vehicle.vin``, ``hours``) whether the problem
was found by ninja's schema parsing or by a service's ``ValidationError``.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from claimory.shops.plans import PlanRequired

logger = logging.getLogger(__name__)

# Service error keys that the API names differently (its schema groups or renames them).
FIELD_ALIASES = {
    "business_hours": "hours",
    "address_line1": "address.line1",
    "address_line2": "address.line2",
    "city": "address.city",
    "region": "address.region",
    "postal_code": "address.postal_code",
    "country": "address.country",
    "sms_quiet_start": "quiet_hours.start",
    "sms_quiet_end": "quiet_hours.end",
}
NON_FIELD = "__all__"


class ApiError(Exception):
    """An error a route raises on purpose: status, a stable code, and a sentence."""

    def __init__(self, status: int, code: str, message: str,
                 fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def json_error(status: int, code: str, message: str,
               fields: dict[str, list[str]] | None = None) -> HttpResponse:
    """An error answer built without ninja (URL misses, 405s)."""
    response = HttpResponse(json.dumps(error_body(code, message, fields)), status=status,
                            content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _summary(fields: dict[str, list[str]]) -> str:
    """One sentence naming the problem, so a log line alone is enough to act on."""
    if len(fields) == 1:
        path, messages = next(iter(fields.items()))
        first = messages[0] if messages else "Invalid value."
        return first if path == NON_FIELD else f"{path}: {first}"
    return "Some fields are invalid: " + ", ".join(sorted(fields)) + "."


def fields_from_django(exc: DjangoValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {NON_FIELD: list(exc.messages)}
    return {FIELD_ALIASES.get(key, key): list(messages)
            for key, messages in exc.message_dict.items()}


def _ninja_path(loc: Iterable[Any]) -> str:
    """Where ninja found the problem, as a dotted path.

    ('body', 'payload', 'customer', 'phone') -> 'customer.phone'; ('query', 'limit') ->
    'limit'; ('body', 'payload') (the body as a whole) -> '__all__'.
    """
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts and parts[0] in ("query", "path", "header", "cookie", "form", "file"):
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD


def _pattern_messages() -> dict[str, str]:
    from claimory.api import schemas

    return {
        schemas.NO_NUL: "Text may not contain NUL characters.",
        schemas.SOME_TEXT: "Write some text (not only spaces or invisible characters).",
        schemas.HH_MM: "Use 24-hour times like 07:30.",
        schemas.STAGE_SLUG: "Use a stage slug like estimate (GET /location lists them).",
        schemas.VIN: "A VIN has 17 letters and digits, never I, O or Q.",
        schemas.BRAND_COLOR: "Use a colour like #1d4ed8.",
    }


def _message(item: dict[str, Any]) -> str:
    """Pydantic's sentence, or ours where it would quote a regular expression at a person."""
    if item.get("type") == "string_pattern_mismatch":
        pattern = (item.get("ctx") or {}).get("pattern", "")
        return _pattern_messages().get(pattern, "This value has the wrong format.")
    return item.get("msg", "Invalid value.")


def fields_from_ninja(exc: NinjaValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        path = _ninja_path(item.get("loc", ()))
        message = _message(item)
        if path == NON_FIELD:
            message = "Send a JSON object as the request body."
        fields.setdefault(path, []).append(message)
    return fields


def install(api: NinjaAPI) -> None:
    """Register the handlers; called once where the NinjaAPI is built."""

    def answer(request: HttpRequest, status: int, code: str, message: str,
               fields: dict[str, list[str]] | None = None) -> HttpResponse:
        return api.create_response(request, error_body(code, message, fields), status=status)

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return answer(request, exc.status, exc.code, exc.message, exc.fields)

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = fields_from_django(exc)
        return answer(request, 422, "validation_error", _summary(fields), fields)

    @api.exception_handler(NinjaValidationError)
    def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = fields_from_ninja(exc)
        return answer(request, 422, "validation_error", _summary(fields), fields)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        if request.headers.get("Authorization"):
            message = "The API key is unknown or revoked."
        else:
            message = "Send your API key in the header 'Authorization: Bearer <key>'."
        response = answer(request, 401, "unauthorized", message)
        response["WWW-Authenticate"] = 'Bearer realm="claimory"'
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja raises HttpError(400, "Cannot parse request body") for broken JSON.
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return answer(request, 400, "malformed_json",
                          "The request body is not valid JSON.")
        return answer(request, exc.status_code, "http_error", str(exc))

    @api.exception_handler(PlanRequired)
    def on_plan_required(request: HttpRequest, exc: PlanRequired) -> HttpResponse:
        return answer(request, 402, "plan_required", str(exc))

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return answer(request, 413, "payload_too_large",
                      f"The request body is larger than {limit:,} bytes.")

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = str(exc) if str(exc) else "Not found."
        return answer(request, 404, "not_found", message)

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A bug, not bad input: log it in full, answer in the same shape without details.
        logger.exception("API error on %s %s", request.method, request.path)
        return answer(request, 500, "server_error",
                      "Something went wrong on our side; the request was not applied.")


def read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The documentation views answer GET and HEAD; anything else is a JSON 405."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = json_error(405, "method_not_allowed",
                                  f"{request.method} is not allowed here. Use: GET.")
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return wrapper


def json_method_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Give ninja's plain-text 405 answers the JSON error body too (keeping the Allow header)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            fixed = json_error(405, "method_not_allowed",
                               f"{request.method} is not allowed here. Use: {allowed}.")
            fixed["Allow"] = allowed
            return fixed
        return response

    return wrapper


@csrf_exempt
def not_found_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any /api/v1/ path no route matches; a stray trailing slash gets a pointed hint."""
    message = "No such API endpoint. See /api/v1/openapi.json."
    if rest.endswith("/"):
        try:
            match = resolve(request.path.rstrip("/"))
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not_found":
            message = f"No such API endpoint. Drop the trailing slash: {request.path.rstrip('/')}"
    return json_error(404, "not_found", message)


@csrf_exempt
def index_view(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response = json_error(405, "method_not_allowed",
                              f"{request.method} is not allowed here. Use: GET.")
        response["Allow"] = "GET, HEAD"
        return response
    return _index(request)


def _index(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/: where the machine-readable documentation is."""
    body = {"name": "Claimory API", "version": "1", "openapi": reverse("api:openapi-json"),
            "auth": "Authorization: Bearer <api key>"}
    response = HttpResponse(json.dumps(body), content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
