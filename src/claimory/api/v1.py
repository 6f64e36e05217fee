"""The NinjaAPI instance of API v1: auth, error handlers, routers and the OpenAPI metadata."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger

from claimory.api import errors
from claimory.api.auth import ApiKeyAuth
from claimory.api.routes_claims import router as claims_router
from claimory.api.routes_location import router as location_router
from claimory.api.routes_messages import router as messages_router

DESCRIPTION = """\
The Claimory API for estimating systems, DMS integrations and scripts.

**Auth.** Send `Authorization: Bearer <api key>`. A key acts for exactly one location;
create one with `claimory apikey create --location <slug>`. Missing, unknown or revoked
keys get 401.

**Errors.** Every error is JSON: `{"error": {"code", "message", "fields"}}`, where
`fields` maps dotted paths (`customer.phone`, `vehicle.vin`) to messages. Malformed JSON
is 400, invalid values 422, claims of other locations 404.

**Reference.** This document is browsable at `/api/v1/docs`.

**Money** is returned as decimal strings (`"1250.00"`); send numbers or strings.
"""


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
    docs_decorator=errors.read_only,
)
errors.install(api)
api.add_router("", location_router)
api.add_router("", claims_router)
api.add_router("", messages_router)
