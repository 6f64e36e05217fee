"""Request and response shapes of API v1; they are also what the OpenAPI document publishes.

Inputs forbid unknown keys (a typo is an error, not a silent no-op) and cap lengths at the
columns' sizes. Business rules (VIN check digit, phone numbers, ETA not in the past) stay in
the services, which report them with the same dotted field paths.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from claimory.claims.event_types import KINDS


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text columns; reject it here rather than fail on save.
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    return value


def Text(max_length: int) -> Any:  # noqa: N802 - reads as a type in the schemas below
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_nul)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


def _hide_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def leave_out(description: str | None = None) -> Any:
    """A PATCH field that is simply absent unless sent; an explicit null is still rejected."""
    return Field(None, description=description, json_schema_extra=_hide_default)


# ---- errors ---------------------------------------------------------------------------------

class ErrorDetail(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. validation_error.")
    message: str = Field(description="One sentence a person can act on.")
    fields: dict[str, list[str]] = Field(
        description="Problems per field, keyed by dotted path (customer.phone, vehicle.vin).")


class ErrorOut(Schema):
    error: ErrorDetail


# ---- location -------------------------------------------------------------------------------

class DaySpan(Schema):
    open: Annotated[str, Field(max_length=8, examples=["07:30"])]
    close: Annotated[str, Field(max_length=8, examples=["17:30"])]


class HoursOut(Schema):
    """Opening hours per weekday in the location's time zone; null means closed."""

    mon: DaySpan | None
    tue: DaySpan | None
    wed: DaySpan | None
    thu: DaySpan | None
    fri: DaySpan | None
    sat: DaySpan | None
    sun: DaySpan | None


class HoursIn(Input):
    """Days you send replace those days; days you leave out keep their hours; null closes."""

    mon: DaySpan | None = None
    tue: DaySpan | None = None
    wed: DaySpan | None = None
    thu: DaySpan | None = None
    fri: DaySpan | None = None
    sat: DaySpan | None = None
    sun: DaySpan | None = None


class AddressOut(Schema):
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str = Field(description="ISO 3166 two-letter code; fixed per location.")
    one_line: str = Field(description="The address as one line, for display.")


class AddressIn(Input):
    line1: Text(200) = ""
    line2: Text(200) = ""
    city: Text(100) = ""
    region: Text(50) = ""
    postal_code: Text(20) = ""


class StageOut(Schema):
    slug: str
    name: str
    name_es: str
    position: int
    is_delivery: bool
    explanation_en: str
    explanation_es: str


class LocationOut(Schema):
    name: str
    slug: str
    phone: str = Field(description="E.164, e.g. +15125550100.")
    sms_number: str = Field(description="The location's Telnyx number, E.164.")
    email: str
    address: AddressOut
    timezone: str
    hours: HoursOut = Field(description="Business hours.")
    pickup_hours: HoursOut
    show_estimate_total: bool = Field(description="Customers see the estimate total by default.")
    show_deductible: bool = Field(description="Customers see the deductible by default.")
    portal_expiry_days: int = Field(description="Portal links stop working this many days "
                                                "after delivery.")
    brand_color: str
    tagline: str
    public_url: str = Field(description="The shop's public branded page.")
    stages: list[StageOut] = Field(description="The production stages in board order.")


class LocationPatch(Input):
    name: Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_no_nul)] = leave_out()
    phone: Text(40) = leave_out()
    sms_number: Text(40) = leave_out()
    email: Text(254) = leave_out()
    address: AddressIn = leave_out()
    timezone: Text(64) = leave_out()
    hours: HoursIn = leave_out()
    pickup_hours: HoursIn = leave_out()
    show_estimate_total: bool = leave_out()
    show_deductible: bool = leave_out()
    portal_expiry_days: Annotated[int, Field(ge=1, le=3650)] = leave_out()
    brand_color: Text(7) = leave_out()
    tagline: Text(160) = leave_out()


# ---- claims ---------------------------------------------------------------------------------

Money = Annotated[Decimal, Field(description="Amount in dollars, e.g. 1250.00")]


class CustomerIn(Input):
    name: Text(120)
    phone: Text(40) = Field("", description="Any common format; stored as E.164.")
    email: Text(254) = ""
    language: Literal["en", "es"] = "en"
    sms_opt_in: bool = Field(False, description="Consent to text updates, given at intake.")
    email_opt_in: bool = Field(False, description="Consent to email updates, given at intake.")


class VehicleIn(Input):
    year: int | None = None
    make: Text(40) = ""
    model: Text(60) = ""
    vin: Text(40) = Field("", description="17 characters; the check digit is verified.")
    color: Text(40) = ""
    plate: Text(12) = ""


class ClaimIn(Input):
    customer: CustomerIn
    vehicle: VehicleIn = Field(default_factory=VehicleIn)
    claim_number: Text(40) = ""
    ro_number: Text(40) = ""
    carrier: Text(80) = ""
    adjuster_name: Text(120) = ""
    adjuster_phone: Text(40) = ""
    adjuster_email: Text(254) = ""
    deductible: Money | None = None
    estimate_total: Money | None = None
    rental_days_covered: Annotated[int, Field(ge=0, le=365)] | None = None
    eta: dt.date | None = Field(None, description="Estimated completion; today or later.")
    stage: Text(40) = Field("", description="Stage slug; the first stage when left out.")
    internal_notes: Text(4000) = Field("", description="Staff only; never shown to customers.")


class ClaimPatch(Input):
    claim_number: Text(40) = leave_out()
    ro_number: Text(40) = leave_out()
    carrier: Text(80) = leave_out()
    adjuster_name: Text(120) = leave_out()
    adjuster_phone: Text(40) = leave_out()
    adjuster_email: Text(254) = leave_out()
    deductible: Money | None = None
    estimate_total: Money | None = None
    rental_days_covered: Annotated[int, Field(ge=0, le=365)] | None = None
    rental_start: dt.date | None = None
    internal_notes: Text(4000) = leave_out()
    show_estimate_total: bool | None = Field(
        None, description="Override for this claim; null follows the location's default.")
    show_deductible: bool | None = None
    eta: dt.date | None = Field(None, description="New ETA; the first promised date is kept.")
    eta_reason: Text(200) = leave_out("Required when a set ETA moves; the customer sees it.")


class StageIn(Input):
    stage: Text(40) = Field(description="Slug of one of the location's stages.")


class CustomerOut(Schema):
    name: str
    phone: str
    email: str
    language: str
    sms_opt_in: bool
    email_opt_in: bool


class VehicleOut(Schema):
    year: int | None
    make: str
    model: str
    vin: str
    color: str
    plate: str
    description: str = Field(description="Year make model, for display.")


class ClaimOut(Schema):
    id: int
    location: str = Field(description="Slug of the claim's location.")
    stage: str = Field(description="Slug of the current stage.")
    stage_name: str
    stage_entered_at: dt.datetime
    customer: CustomerOut
    vehicle: VehicleOut
    claim_number: str
    ro_number: str
    carrier: str
    adjuster_name: str
    adjuster_phone: str
    adjuster_email: str
    deductible: str | None = Field(description="Decimal string, e.g. \"500.00\".")
    estimate_total: str | None = Field(description="Decimal string, e.g. \"4250.75\".")
    show_estimate_total: bool | None = Field(description="This claim's override, or null.")
    show_deductible: bool | None
    customer_sees_estimate_total: bool
    customer_sees_deductible: bool
    rental_days_covered: int | None
    rental_start: dt.date | None
    eta: dt.date | None
    eta_first_promised: dt.date | None
    eta_reason: str
    eta_changed_at: dt.datetime | None
    delivered_at: dt.datetime | None
    archived: bool
    internal_notes: str
    portal_url: str | None = Field(description="The customer's link; null when revoked.")
    qr_svg_url: str | None = Field(description="QR code of portal_url as SVG (needs the key).")
    created_at: dt.datetime
    updated_at: dt.datetime


class ClaimPage(Schema):
    items: list[ClaimOut]
    total: int = Field(description="Claims matching the filters, across all pages.")
    limit: int
    offset: int


class ClaimFilters(Schema):
    stage: Text(40) | None = Field(None, description="Only claims in this stage (slug).")
    q: Text(100) | None = Field(None, description="Search name, phone, claim/RO number, VIN, "
                                                  "plate or carrier.")
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class EventOut(Schema):
    id: int = Field(description="Per-claim sequence number: 1, 2, 3…")
    type: str = Field(description=", ".join(KINDS))  # every type defined in claims/event_types
    at: dt.datetime
    channel: str = Field(description="staff, portal, api, sms, email or system")
    actor: str = Field(description="Who did it: a staff name, 'API key clm_…', or empty.")
    customer_visible: bool
    data: dict[str, Any]


# ---- messages -------------------------------------------------------------------------------

class MessageIn(Input):
    body: Text(2000) = Field(description="Plain text; links are made clickable on the portal.")


class MessageOut(Schema):
    id: int
    event_id: int | None = Field(description="The message's id on the claim timeline.")
    direction: Literal["in", "out"]
    channel: str
    body: str
    sender: str
    status: str = Field(description="received, queued, sending, sent, delivered, read, failed")
    created_at: dt.datetime
