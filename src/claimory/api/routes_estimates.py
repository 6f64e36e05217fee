"""`POST /api/v1/estimates`: a CIECA estimate (BMS XML, or a zip of an EMS set) into a claim."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.responses import Status

from claimory.api.auth import key_require, location_of
from claimory.api.errors import error_body
from claimory.api.idempotency import idempotent
from claimory.api.routes_claims import IDEMPOTENCY_PARAMETER
from claimory.api.schemas import ErrorOut
from claimory.estimates.intake import MAX_FILE_BYTES, batch_start, file_receive, import_file_run
from claimory.estimates.models import Action, Channel
from claimory.estimates.sources import units_from_bytes

router = Router(tags=["estimates"])


class EstimateOut(Schema):
    claim_id: int
    action: str  # created | updated | unchanged
    result: str  # the import's result line: "updated supplement 2 (claim RO-5521)"


class EstimateRefusedOut(Schema):
    # Only a refused file has a reason; a bad header or body is the API's usual error.
    reason: str | None = Field(None, description="Why the file is not a usable estimate.")
    error: dict[str, Any]


def _refused(status: int, code: str, reason: str) -> HttpResponse:
    body = {"reason": reason, **error_body(code, reason, {"file": [reason]})}
    response = HttpResponse(json.dumps(body), status=status,
                            content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _declared_size(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@router.post(
    "/estimates",
    response={200: EstimateOut, 201: EstimateOut, 400: ErrorOut, 401: ErrorOut,
              403: ErrorOut, 409: ErrorOut, 413: EstimateRefusedOut, 422: EstimateRefusedOut},
    summary="Import an estimate or supplement", operation_id="estimate_import",
    openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]},
    description="Multipart `file`: a CIECA BMS XML document (`VehicleDamageEstimateAddRq`) "
                "or a zip of one EMS file set. Opens a claim (201, `created`) or updates the "
                "one it matches by claim number + VIN or RO (200, `updated`; `unchanged` when "
                "the file changes nothing: a re-import, or an older supplement than the "
                "claim has). A file that is not a usable estimate is a 422 whose `reason` "
                "says why; nothing is changed. Files over 20 MB are a 413.")
@decorate_view(idempotent)
def estimate_import(request: HttpRequest, file: File[UploadedFile]):
    key_require(request, "estimates.import")
    if _declared_size(request) > MAX_FILE_BYTES + 64 * 1024 or \
            (file.size or 0) > MAX_FILE_BYTES:
        return _refused(413, "payload_too_large",
                        f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    data = file.read(MAX_FILE_BYTES + 1)
    name = Path(file.name or "estimate").name[:120] or "estimate"
    with tempfile.TemporaryDirectory(prefix="claimory-api-") as scratch:
        units = units_from_bytes(name, data, Path(scratch))
    if len(units) > 1:
        return _refused(422, "estimate_rejected",
                        "the zip holds several estimates; send one estimate per request")
    if units[0].kind == "refused":
        return _refused(422, "estimate_rejected", units[0].reason)
    location = location_of(request)
    batch = batch_start(location=location, channel=Channel.API)
    row = file_receive(batch=batch, name=name, data=data, queue=False)
    [outcome] = import_file_run(row)
    if outcome.action == Action.REJECTED or outcome.claim_id is None:
        return _refused(422, "estimate_rejected", outcome.line.removeprefix("rejected: "))
    action = outcome.action if outcome.action in (Action.CREATED, Action.UPDATED) \
        else Action.UNCHANGED
    return Status(201 if action == Action.CREATED else 200, {
        "claim_id": outcome.claim_id, "action": str(action), "result": outcome.line})
