"""Request and response shapes of API v1; they are also what the OpenAPI document publishes.

Inputs forbid unknown keys (a typo is an error, not a silent no-op) and cap lengths at the
columns' sizes. The published schema is meant to be exact: what it calls valid, the API
accepts. Rules JSON Schema can state are stated (patterns, lengths, ranges, enums, "a
reason with every new ETA"); the few it cannot are named by a ``format`` and spelled out in
the description (``phone``: a real number; ``vin``: the check digit; ``date`` of an ETA:
today to two years ahead, of a rental start: two years back to one ahead;
``opening-time``/``closing-time``: close after open). The services enforce them all and
report problems with the same dotted field paths.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StrictBool, WithJsonSchema

from claimory.claims.event_types import KINDS
from claimory.core.text import VISIBLE_CHAR


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text columns; reject it here rather than fail on save.
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    return value


# Any text without NUL (PostgreSQL cannot store it).
NO_NUL = r"^[^\x00]*$"
# A character a reader can see: not a space, a control, a format character (zero-width
# space, BOM, bidi marks…) or a Hangul filler; the services apply the same rule.
VISIBLE = VISIBLE_CHAR
# Required text: at least one visible character, no NUL.
SOME_TEXT = rf"^[^\x00]*{VISIBLE}[^\x00]*$"
HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
STAGE_SLUG = r"^[A-Za-z0-9_-]{1,40}$"
VIN = r"^([A-HJ-NPR-Z0-9]{17})?$"
BRAND_COLOR = r"^#[0-9a-fA-F]{6}$"


def Text(max_length: int, **extra: Any) -> Any:  # noqa: N802 - reads as a type below
    return Annotated[str, Field(max_length=max_length, pattern=NO_NUL, **extra),
                     AfterValidator(_no_nul)]


def RequiredText(max_length: int) -> Any:  # noqa: N802
    """Text that must say something: blank or whitespace-only is refused by the schema too."""
    return Annotated[str, Field(min_length=1, max_length=max_length, pattern=SOME_TEXT),
                     AfterValidator(_no_nul)]


def _json_int(value: Any) -> Any:
    # JSON Schema's integer: 12 and 12.0, never true or "12" (pydantic's lax mode takes both).
    if isinstance(value, bool | str):
        raise ValueError("Input should be a whole number")
    return value


def _json_date(value: Any) -> Any:
    # A date is a "YYYY-MM-DD" string in JSON; pydantic would also take a Unix timestamp.
    if not isinstance(value, str | dt.date):
        raise ValueError("Input should be a date like 2026-03-31")
    return value


def Int(ge: int, le: int) -> Any:  # noqa: N802
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_json_int)]


Date = Annotated[dt.date, BeforeValidator(_json_date)]


def Phone() -> Any:  # noqa: N802
    # No length or character rule in the schema: "a real phone number" (the format) is
    # stricter than any, and a generator must not be told 40 zeros would do.
    return Annotated[str, Field(max_length=40), AfterValidator(_no_nul), WithJsonSchema({
        "type": "string", "format": "phone",
        "description": "A real phone number in any common format, e.g. (512) 555-0100 or "
                       "+15125550100 (checked against the numbering plan; stored as E.164). "
                       "Empty for none."})]


def Email() -> Any:  # noqa: N802
    """An email address, or empty for none."""
    # A valid address (the format) is at most 254 characters anyway (RFC 5321).
    return Annotated[str, Field(max_length=254), AfterValidator(_no_nul), WithJsonSchema({
        "anyOf": [{"type": "string", "maxLength": 0}, {"type": "string", "format": "email"}]})]


def ReviewUrl() -> Any:  # noqa: N802
    """The shop's public review link: an http(s) web address, or empty for none."""
    # Like phone: "a real web address" (the format) is stricter than any pattern a generator
    # could be given; the service checks it with Django's URLValidator (http and https only).
    return Annotated[str, Field(max_length=500), AfterValidator(_no_nul), WithJsonSchema({
        "type": "string", "format": "review-url",
        "description": "A full http(s) web address, e.g. Google's “write a review” link "
                       "https://search.google.com/local/writereview?placeid=… "
                       "(at most 500 characters). Empty for none."})]


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
    """24-hour times; the shop closes after it opens (same day)."""

    open: Annotated[str, Field(max_length=8, pattern=HH_MM, examples=["07:30"],
                               json_schema_extra={"format": "opening-time"})]
    close: Annotated[str, Field(max_length=8, pattern=HH_MM, examples=["17:30"],
                                json_schema_extra={"format": "closing-time",
                                                   "description": "Later than open."})]


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


class QuietHours(Schema):
    """Local 24-hour times; a window may cross midnight (21:00 to 08:00). Equal = none."""

    start: Annotated[str, Field(max_length=5, pattern=HH_MM, examples=["21:00"])]
    end: Annotated[str, Field(max_length=5, pattern=HH_MM, examples=["08:00"])]


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
    messaging_profile_id: str = Field(description="The location's Telnyx messaging profile "
                                      "(STOP applies per profile).")
    quiet_hours: QuietHours = Field(description="Automated texts wait outside these local "
                                    "times until the end of the window.")
    tone: str = Field(description="How the shop sounds; AI drafts follow it.")
    survey_enabled: bool = Field(description="A post-repair survey follows every delivery.")
    survey_delay_hours: int = Field(description="The survey invitation goes this many hours "
                                    "after delivery.")
    survey_expiry_days: int = Field(description="Answers are taken for this many days after "
                                    "the invitation.")
    review_url: str = Field(description="The shop's public review link, offered to every "
                            "survey respondent whatever their score (empty: none).")
    stages: list[StageOut] = Field(description="The production stages in board order.")


TIMEZONES = sorted(available_timezones())


class LocationPatch(Input):
    name: RequiredText(120) = leave_out()
    phone: Phone() = leave_out()
    sms_number: Phone() = leave_out()
    email: Email() = leave_out()
    address: AddressIn = leave_out()
    timezone: Annotated[str, Field(max_length=64), AfterValidator(_no_nul),
                        WithJsonSchema({"type": "string", "enum": TIMEZONES,
                                        "description": "An IANA time zone name."})] = leave_out()
    hours: HoursIn = leave_out()
    pickup_hours: HoursIn = leave_out()
    show_estimate_total: StrictBool = leave_out()
    show_deductible: StrictBool = leave_out()
    portal_expiry_days: Int(1, 3650) = leave_out()
    brand_color: Annotated[str, Field(pattern=BRAND_COLOR,
                                      examples=["#1d4ed8"])] = leave_out()
    tagline: Text(160) = leave_out()
    messaging_profile_id: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9-]{0,64}$",
                                               examples=["40017d8e-aa32-4b6a-9c1e-2f3a4b5c6d7e"]
                                               )] = leave_out()
    quiet_hours: QuietHours = leave_out()
    tone: Text(500) = leave_out()
    survey_enabled: StrictBool = leave_out()
    survey_delay_hours: Int(0, 336) = leave_out()
    survey_expiry_days: Int(1, 90) = leave_out()
    review_url: ReviewUrl() = leave_out()


# ---- claims ---------------------------------------------------------------------------------

MONEY_MAX = Decimal("9999999.99")
MONEY_TEXT = r"^[0-9]{1,7}(\.[0-9]{1,2})?$"


def _money_text(value: Any) -> Any:
    # As a string, only plain dollars and cents (what the schema says), not "1e3" or "$5".
    if isinstance(value, str) and not re.fullmatch(MONEY_TEXT, value):
        raise ValueError("Send an amount like 1250.00.")
    return value


Money = Annotated[Decimal, BeforeValidator(_money_text), Field(ge=0, le=MONEY_MAX),
                  WithJsonSchema({
    "anyOf": [{"type": "number", "minimum": 0, "maximum": 9999999.99},
              {"type": "string", "pattern": MONEY_TEXT}],
    "description": "Amount in dollars, 0 to 9999999.99, e.g. 1250.00 or \"1250.00\"."})]


def _needs(flag: str, field: str) -> dict[str, Any]:
    """JSON Schema for "when ``flag`` is true, ``field`` is sent and not empty"."""
    return {"if": {"properties": {flag: {"const": True}}, "required": [flag]},
            "then": {"properties": {field: {"minLength": 1}}, "required": [field]}}


class CustomerIn(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "allOf": [_needs("sms_opt_in", "phone"), _needs("email_opt_in", "email")]})

    name: RequiredText(120)
    phone: Phone() = ""
    email: Email() = ""
    language: Literal["en", "es"] = "en"
    sms_opt_in: StrictBool = Field(
        False, description="Consent to text updates, given at intake; needs a phone.")
    email_opt_in: StrictBool = Field(
        False, description="Consent to email updates, given at intake; needs an email.")


class VehicleIn(Input):
    # The service allows up to next year + 1 (model years run ahead of the calendar).
    year: Int(1950, dt.datetime.now(dt.UTC).year + 2) | None = None
    make: Text(40) = ""
    model: Text(60) = ""
    vin: Annotated[str, Field(max_length=17, pattern=VIN, json_schema_extra={
        "format": "vin",
        "description": "17 characters without I, O or Q, with a valid check digit (the 9th "
                       "character, 49 CFR 565). Empty for none."})] = ""
    color: Text(40) = ""
    plate: Text(12) = ""


ETA_RULE = ("Estimated completion date (YYYY-MM-DD): from today to two years (730 days) "
            "ahead, in the location's time zone.")
RENTAL_START_RULE = ("The day the rental car started (YYYY-MM-DD): from two years (730 days) "
                     "back to one year (365 days) ahead of today in the location's time zone. "
                     "Null for none.")


class ClaimIn(Input):
    customer: CustomerIn
    vehicle: VehicleIn = Field(default_factory=VehicleIn)
    claim_number: Text(40) = ""
    ro_number: Text(40) = ""
    carrier: Text(80) = ""
    adjuster_name: Text(120) = ""
    adjuster_phone: Phone() = ""
    adjuster_email: Email() = ""
    deductible: Money | None = None
    estimate_total: Money | None = None
    rental_days_covered: Int(0, 365) | None = None
    eta: Date | None = Field(None, description=ETA_RULE)
    stage: Annotated[str, Field(max_length=40, pattern=r"^([A-Za-z0-9_-]{1,40})?$")] = Field(
        "", description="Slug of one of the location's stages (GET /location lists them); "
                        "the first stage when left out.")
    internal_notes: Text(4000) = Field("", description="Staff only; never shown to customers.")


class ClaimPatch(Input):
    # A new date, or clearing one, always comes with the reason the customer reads.
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "dependentRequired": {"eta": ["eta_reason"], "eta_reason": ["eta"]}})

    claim_number: Text(40) = leave_out()
    ro_number: Text(40) = leave_out()
    carrier: Text(80) = leave_out()
    adjuster_name: Text(120) = leave_out()
    adjuster_phone: Phone() = leave_out()
    adjuster_email: Email() = leave_out()
    deductible: Money | None = None
    estimate_total: Money | None = None
    rental_days_covered: Int(0, 365) | None = None
    rental_start: Date | None = Field(None, description=RENTAL_START_RULE)
    internal_notes: Text(4000) = leave_out()
    show_estimate_total: StrictBool | None = Field(
        None, description="Override for this claim; null follows the location's default.")
    show_deductible: StrictBool | None = None
    eta: Date | None = Field(None, description=ETA_RULE + " Send it with eta_reason; null "
                                "clears it (also with a reason). The first promised date is kept.")
    eta_reason: RequiredText(200) = leave_out(
        "Why the date is what it is now (the customer sees it); required with eta, "
        "a new date or null.")


class StageIn(Input):
    stage: Annotated[str, Field(max_length=40, pattern=STAGE_SLUG)] = Field(
        description="Slug of one of the location's stages (GET /location lists them).")


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
    stage: Annotated[str, Field(max_length=40, pattern=STAGE_SLUG)] | None = Field(
        None, description="Only claims in this stage: one of the location's stage slugs.")
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


# ---- survey ---------------------------------------------------------------------------------

class FollowUpOut(Schema):
    state: Literal["open", "done"]
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str = Field(description="What the manager did (staff-only).")


class SurveyOut(Schema):
    state: Literal["none", "scheduled", "sending", "sent", "answered", "expired",
                   "cancelled"] = Field(description="none: the claim has no survey (not "
                                        "delivered yet, or surveys are off).")
    due_at: dt.datetime | None = Field(description="When the invitation goes.")
    sent_at: dt.datetime | None = Field(description="When a text or email went (null: none "
                                        "could; the portal still offers it).")
    expires_at: dt.datetime | None
    answered_at: dt.datetime | None
    overall: int | None = Field(description="1–5.")
    quality: int | None = Field(description="1–5.")
    communication: int | None = Field(description="1–5.")
    on_time: int | None = Field(description="1–5.")
    recommend: int | None = Field(description="0–10 (NPS).")
    comment: str
    follow_up: FollowUpOut | None = Field(description="The private task an overall of 3 or "
                                          "less opens for a manager.")


# ---- messages -------------------------------------------------------------------------------

class MessageIn(Input):
    body: RequiredText(2000) = Field(
        description="Plain text with something besides spaces and control characters; links "
                    "are made clickable on the portal.")


class MessageOut(Schema):
    id: int
    event_id: int | None = Field(description="The message's id on the claim timeline.")
    direction: Literal["in", "out"]
    channel: str
    body: str
    sender: str
    status: str = Field(description="received, queued, sending, sent, delivered, read, failed")
    created_at: dt.datetime


# ---- photos ---------------------------------------------------------------------------------

class PhotoOut(Schema):
    id: int
    state: Literal["received", "processing", "ready", "failed"] = Field(
        description="received → processing → ready (or failed). The customer sees a photo "
                    "once it is ready, unless it is internal or hidden.")
    kind: str = Field(description="photo for the shop's own; insurance_card, registration, "
                                  "damage or other for what the customer sent")
    source: Literal["bay", "customer", "mms"]
    stage: str = Field(description="Slug of the stage it shows.")
    internal: bool = Field(description="Staff only, never on the customer's page.")
    hidden: bool = Field(description="Hidden from the customer by staff.")
    caption: str
    content_type: str
    width: int
    height: int
    created_at: dt.datetime
    published_at: dt.datetime | None = Field(description="When it was processed and shown.")
