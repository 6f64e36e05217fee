"""The NinjaAPI instance of API v1: auth, error handlers, routers and the OpenAPI metadata."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Swagger

from claimory.api import errors
from claimory.api.auth import ApiKeyAuth
from claimory.api.routes_appointments import router as appointments_router
from claimory.api.routes_claims import router as claims_router
from claimory.api.routes_documents import router as documents_router
from claimory.api.routes_estimates import router as estimates_router
from claimory.api.routes_location import router as location_router
from claimory.api.routes_mail import router as mail_router
from claimory.api.routes_messages import router as messages_router
from claimory.api.routes_money import router as money_router
from claimory.api.routes_photos import router as photos_router
from claimory.api.routes_survey import router as survey_router
from claimory.shops.models import Stage

DESCRIPTION = """\
The Claimory API for estimating systems, DMS integrations and scripts.

**Auth.** Send `Authorization: Bearer <api key>`. A key acts for exactly one location;
create one with `claimory apikey create --location <slug>`. Missing, unknown or revoked
keys get 401.

**Errors.** Every error is JSON: `{"error": {"code", "message", "fields"}}`, where
`fields` maps dotted paths (`customer.phone`, `vehicle.vin`) to messages. Malformed JSON
is 400, invalid values 422, claims of other locations and unknown paths 404, bodies over
2.5 MB 413.

**Exact schema.** What this document calls valid is accepted. Rules JSON Schema cannot state
are named by a `format` and described: `phone` (a real number), `vin` (valid check digit),
an ETA `date` (today to two years ahead), a `rental_start` (two years back to one year
ahead), `opening-time`/`closing-time` (close after open). Required text needs a visible
character (zero-width and other format characters do not count). Fetch this document with
your key and stage slugs are an `enum` of your location's stages.

**Retries.** Send `Idempotency-Key` with `POST /claims` or `POST /claims/{id}/photos`: a
retry gets the first answer and never opens a second claim or adds a second photo.

**Photos** are sent as `multipart/form-data` (`file`, optional `stage`, `internal`,
`caption`); the type is decided by the bytes (JPEG, PNG, HEIC, WebP; 415 otherwise), at most
25 MB a file (413). They are processed in the background: `state` goes `received` → `ready`.

**Reference.** This document is browsable at `/api/v1/docs`.

**Estimates.** `POST /estimates` takes a CIECA BMS XML file or a zip of an EMS set (CCC ONE,
Mitchell) and opens or updates the matching claim; a refused file answers with a `reason`.

**Email.** `POST /mail` files one raw message (multipart `file`) into its claim exactly as
a synced mailbox would (an MTA can pipe mail here); `GET /claims/{id}/emails` reads a
claim's mail and `/claims/{id}/participants` the people on its threads.

**Money** is returned as decimal strings (`"1250.00"`); send numbers or strings.
"""


def _stage_schemas(document: dict[str, Any]):
    """Every schema in the document that takes a stage slug (bodies and the list filter)."""
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("ClaimIn", "StageIn"):
        if "stage" in schemas.get(name, {}).get("properties", {}):
            yield name, schemas[name]["properties"]["stage"]
    photo_form = (document["paths"].get("/api/v1/claims/{claim_id}/photos", {}).get("post", {})
                  .get("requestBody", {}).get("content", {}).get("multipart/form-data", {})
                  .get("schema", {}))
    if "stage" in photo_form.get("properties", {}):
        yield "photo", photo_form["properties"]["stage"]
    for parameter in document["paths"].get("/api/v1/claims", {}).get("get", {}).get(
            "parameters", []):
        if parameter.get("name") == "stage":
            for branch in parameter["schema"].get("anyOf", [parameter["schema"]]):
                if branch.get("type") == "string":
                    yield "query", branch


def stages_for_caller(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """openapi.json fetched with an API key lists that location's stage slugs as an enum.

    Stages are per location (shops add and rename them), so the public document can only
    give their pattern; a caller's own document says exactly which slugs it may send.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        key = ApiKeyAuth()(request) if request.headers.get("Authorization") else None
        if key is None or response.status_code != 200 or \
                not response.get("Content-Type", "").startswith("application/json"):
            return response
        slugs = list(Stage.objects.filter(location_id=key.location_id)
                     .order_by("position", "id").values_list("slug", flat=True))
        document = json.loads(response.content)
        for owner, schema in _stage_schemas(document):
            schema.pop("pattern", None)
            schema["enum"] = ["", *slugs] if owner in ("ClaimIn", "photo") else slugs
        fixed = JsonResponse(document)
        fixed["Cache-Control"] = "private, no-store"
        return fixed

    return wrapper


class ClaimoryApi(NinjaAPI):
    def create_response(self, request: HttpRequest, data: Any, *, status: int | None = None,
                        temporal_response: HttpResponse | None = None) -> HttpResponse:
        response = super().create_response(request, data, status=status,
                                           temporal_response=temporal_response)
        # Answers carry customer data and portal links: never store them in a shared cache.
        response["Cache-Control"] = "no-store"
        return response


api = ClaimoryApi(
    title="Claimory API",
    version="1",
    description=DESCRIPTION,
    auth=ApiKeyAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    # Swagger UI from the files the installed django-ninja ships ("ninja" is an installed app,
    # so its local templates and static files are used, never a CDN).
    docs_url="/docs",
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
    docs_decorator=lambda view: errors.read_only(stages_for_caller(view)),
)
errors.install(api)
api.add_router("", location_router)
api.add_router("", claims_router)
api.add_router("", messages_router)
api.add_router("", money_router)
api.add_router("", documents_router)
api.add_router("", photos_router)
api.add_router("", estimates_router)
api.add_router("", mail_router)
api.add_router("", appointments_router)
api.add_router("", survey_router)
