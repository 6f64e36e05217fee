"""Request and response shapes of `/api/v1/claims/<id>/documents…`.

A new document's body depends on its kind: one input schema per kind (``KIND_INPUTS``), each
exact (its fields, required ones required, nothing else). The OpenAPI document publishes
them as a ``oneOf`` keyed by ``kind``; the route checks a body against its kind's schema,
so errors are reported by plain field name (``amount``), never by union branch.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from claimory.api.schemas import Input, Int, Money, RequiredText
from claimory.esign.models import Kind

ODOMETER_MAX = 9_999_999  # the services take at most seven digits


class RepairAuthorizationIn(Input):
    kind: Literal["repair_authorization"]
    storage_per_day: Money | None = Field(None, description="Storage per day after notice.")
    towing: Money | None = Field(None, description="Towing charge, if any.")


class BettermentIn(Input):
    kind: Literal["betterment"]
    amount: Money = Field(description="Betterment the customer pays.")
    parts: RequiredText(300) = Field(description="The parts, e.g. \"Two front tyres\".")


class SupplementApprovalIn(Input):
    kind: Literal["supplement_approval"]
    supplement_number: Int(1, ODOMETER_MAX) = Field(description="The supplement's number.")
    amount: Money = Field(description="The supplement's amount.")


class DeliveryAckIn(Input):
    kind: Literal["delivery_ack"]
    odometer: Int(0, ODOMETER_MAX) = Field(description="Miles on the odometer at delivery.")


KIND_INPUTS: dict[str, type[Input]] = {
    Kind.REPAIR_AUTHORIZATION: RepairAuthorizationIn,
    Kind.BETTERMENT: BettermentIn,
    Kind.SUPPLEMENT_APPROVAL: SupplementApprovalIn,
    Kind.DELIVERY_ACK: DeliveryAckIn,
}


def document_in_openapi() -> dict[str, Any]:
    """The request body of POST …/documents as published: one exact schema per kind."""
    branches = []
    for model in KIND_INPUTS.values():
        schema = model.model_json_schema()
        schema.pop("title", None)
        branches.append(schema)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "oneOf": branches,
        "description": "`kind` and that kind's fields: repair_authorization (storage_per_day, "
                       "towing, both optional), betterment (amount, parts), "
                       "supplement_approval (supplement_number, amount), delivery_ack "
                       "(odometer). The customer's, vehicle's, claim's and shop's details "
                       "are filled in from the claim."}}}}}


class VoidIn(Input):
    reason: RequiredText(200) = Field(description="Why it is withdrawn (on the audit trail).")


class DocumentOut(Schema):
    id: int
    claim_id: int
    kind: str = Field(description="repair_authorization, betterment, supplement_approval or "
                                  "delivery_ack")
    status: Literal["sent", "viewed", "signed", "void"]
    title: str
    body: str = Field(description="The merged text exactly as the customer reads it.")
    fields: dict[str, str] = Field(description="The values merged in, as shown (\"$180.00\").")
    content_sha256: str = Field(description="SHA-256 of title + blank line + body (UTF-8): "
                                            "the version the customer signs.")
    sent_at: dt.datetime
    first_viewed_at: dt.datetime | None
    signed_at: dt.datetime | None
    signer_name: str
    signature_method: str = Field(description="drawn, typed, or empty before signing")
    voided_at: dt.datetime | None
    void_reason: str
    replaces: int | None = Field(description="Id of the version this one replaced.")
    signed_sha256: str = Field(description="SHA-256 of the sealed PDF; empty until sealed.")
    pdf_url: str | None = Field(description="The sealed signed PDF (needs the key); null "
                                            "until sealed.")
    portal_url: str | None = Field(description="The customer's portal link, where it waits "
                                               "for their signature; null when revoked.")
