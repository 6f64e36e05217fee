"""Everything that changes a claim. Each service writes its ClaimEvent in the same transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claimory.claims import tokens
from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, Customer, EventType, Language, Vehicle
from claimory.claims.vin import validate_vin
from claimory.core.phones import normalize_phone
from claimory.shops.models import Location, Stage

MONEY_MAX = Decimal("9999999.99")


@dataclass
class CustomerInput:
    name: str
    phone: str = ""
    email: str = ""
    language: str = Language.ENGLISH
    sms_opt_in: bool = False
    email_opt_in: bool = False


@dataclass
class VehicleInput:
    year: int | None = None
    make: str = ""
    model: str = ""
    vin: str = ""
    color: str = ""
    plate: str = ""


@dataclass
class ClaimInput:
    customer: CustomerInput
    vehicle: VehicleInput
    claim_number: str = ""
    ro_number: str = ""
    carrier: str = ""
    adjuster_name: str = ""
    adjuster_phone: str = ""
    adjuster_email: str = ""
    deductible: Decimal | str | None = None
    estimate_total: Decimal | str | None = None
    rental_days_covered: int | None = None
    eta: dt.date | None = None
    stage: str = ""
    internal_notes: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


def location_today(location: Location) -> dt.date:
    try:
        tz = ZoneInfo(location.timezone)
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    return timezone.now().astimezone(tz).date()


def _money(value: Any, field_name: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        errors.setdefault(field_name, []).append("Enter an amount like 1250.00.")
        return None
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX:
        errors.setdefault(field_name, []).append("Enter an amount between 0 and 9,999,999.99.")
        return None
    return amount.quantize(Decimal("0.01"))


def _check_eta(location: Location, eta: dt.date | None, errors: dict[str, list[str]],
               field_name: str = "eta") -> None:
    if eta is not None and eta < location_today(location):
        errors.setdefault(field_name, []).append(
            "The estimated completion date is in the past. Pick today or a later date."
        )


def stage_by_slug(location: Location, slug: str) -> Stage:
    stage = Stage.objects.filter(location=location, slug=slug).first()
    if stage is None:
        names = ", ".join(Stage.objects.filter(location=location).values_list("slug", flat=True))
        raise ValidationError({"stage": [f"Unknown stage “{slug}”. Use one of: {names}."]})
    return stage


def _clean_customer(data: CustomerInput, location: Location, errors: dict) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": (data.name or "").strip(),
        "email": (data.email or "").strip(),
        "language": data.language or Language.ENGLISH,
        "sms_opt_in": bool(data.sms_opt_in),
        "email_opt_in": bool(data.email_opt_in),
    }
    if not out["name"]:
        errors.setdefault("customer.name", []).append("Enter the customer's name.")
    if len(out["name"]) > 120:
        errors.setdefault("customer.name", []).append("Keep the name under 120 characters.")
    if out["language"] not in Language.values:
        errors.setdefault("customer.language", []).append("Language must be en or es.")
    try:
        out["phone"] = normalize_phone(data.phone, location.country or "US")
    except ValidationError as exc:
        errors.setdefault("customer.phone", []).extend(exc.messages)
    if out["email"]:
        from django.core.validators import validate_email

        try:
            validate_email(out["email"])
        except ValidationError:
            errors.setdefault("customer.email", []).append("Enter a valid email address.")
    if out["sms_opt_in"] and not out.get("phone"):
        errors.setdefault("customer.sms_opt_in", []).append("Text updates need a phone number.")
    if out["email_opt_in"] and not out["email"]:
        errors.setdefault("customer.email_opt_in", []).append("Email updates need an email.")
    return out


def _clean_vehicle(data: VehicleInput, errors: dict) -> dict[str, Any]:
    out: dict[str, Any] = {
        "make": (data.make or "").strip()[:40],
        "model": (data.model or "").strip()[:60],
        "color": (data.color or "").strip()[:40],
        "plate": (data.plate or "").strip().upper()[:12],
        "year": data.year,
        "vin": "",
    }
    next_year = timezone.now().year + 2
    if data.year is not None and not (1950 <= int(data.year) <= next_year):
        errors.setdefault("vehicle.year", []).append(f"Year must be between 1950 and {next_year}.")
    if data.vin:
        try:
            out["vin"] = validate_vin(data.vin)
        except ValidationError as exc:
            errors.setdefault("vehicle.vin", []).extend(exc.messages)
    return out


def claim_validate(location: Location, data: ClaimInput) -> dict[str, Any]:
    """Check every field; raise ValidationError({field: [messages]}) listing all problems."""
    errors: dict[str, list[str]] = {}
    customer = _clean_customer(data.customer, location, errors)
    vehicle = _clean_vehicle(data.vehicle, errors)
    deductible = _money(data.deductible, "deductible", errors)
    estimate_total = _money(data.estimate_total, "estimate_total", errors)
    _check_eta(location, data.eta, errors)
    try:
        adjuster_phone = normalize_phone(data.adjuster_phone, location.country or "US")
    except ValidationError as exc:
        errors.setdefault("adjuster_phone", []).extend(exc.messages)
        adjuster_phone = ""
    if data.adjuster_email:
        from django.core.validators import validate_email

        try:
            validate_email(data.adjuster_email.strip())
        except ValidationError:
            errors.setdefault("adjuster_email", []).append("Enter a valid email address.")
    stage = None
    if data.stage:
        try:
            stage = stage_by_slug(location, data.stage)
        except ValidationError as exc:
            errors.setdefault("stage", []).extend(exc.messages)
    elif not location.stages.exists():
        errors.setdefault("stage", []).append("This location has no stages set up.")
    if errors:
        raise ValidationError(errors)
    return {
        "customer": customer,
        "vehicle": vehicle,
        "deductible": deductible,
        "estimate_total": estimate_total,
        "adjuster_phone": adjuster_phone,
        "stage": stage or location.stages.order_by("position", "id").first(),
    }


@transaction.atomic
def claim_create(
    *, location: Location, data: ClaimInput, actor: Any = None, channel: str = Channel.STAFF,
    actor_label: str = "",
) -> Claim:
    """Open a claim: customer, vehicle, first stage, a fresh portal token and the first event."""
    clean = claim_validate(location, data)
    now = timezone.now()
    cust = clean["customer"]
    customer = Customer.objects.create(
        location=location,
        **cust,
        sms_opt_in_at=now if cust["sms_opt_in"] else None,
        email_opt_in_at=now if cust["email_opt_in"] else None,
    )
    vehicle = Vehicle.objects.create(location=location, **clean["vehicle"])
    claim = Claim.objects.create(
        location=location,
        customer=customer,
        vehicle=vehicle,
        claim_number=data.claim_number.strip()[:40],
        ro_number=data.ro_number.strip()[:40],
        carrier=data.carrier.strip()[:80],
        adjuster_name=data.adjuster_name.strip()[:120],
        adjuster_phone=clean["adjuster_phone"],
        adjuster_email=data.adjuster_email.strip(),
        deductible=clean["deductible"],
        estimate_total=clean["estimate_total"],
        rental_days_covered=data.rental_days_covered,
        eta=data.eta,
        eta_first_promised=data.eta,
        stage=clean["stage"],
        stage_entered_at=now,
        internal_notes=data.internal_notes,
    )
    _mint_token(claim)
    claim.save(update_fields=["portal_token_hash", "portal_token_salt", "portal_token_issued_at"])
    event_record(
        claim=claim, type=EventType.CREATED, actor=actor, actor_label=actor_label,
        channel=channel, customer_visible=True,
        data={"stage": claim.stage.slug, "eta": data.eta.isoformat() if data.eta else None},
    )
    return claim


def _mint_token(claim: Claim) -> str:
    claim.portal_token_salt = tokens.new_salt()
    token = tokens.derive_token(claim.pk, claim.portal_token_salt)
    claim.portal_token_hash = tokens.hash_token(token)
    claim.portal_token_issued_at = timezone.now()
    claim.portal_revoked_at = None
    return token


def portal_token(claim: Claim) -> str | None:
    """The claim's live portal token, rebuilt from its salt; None once revoked."""
    if not claim.portal_token_hash or claim.portal_revoked_at:
        return None
    token = tokens.derive_token(claim.pk, claim.portal_token_salt)
    # A changed SECRET_KEY makes the rebuilt token differ from the stored hash.
    return token if tokens.hash_token(token) == claim.portal_token_hash else None


@transaction.atomic
def portal_token_rotate(*, claim: Claim, actor: Any = None, channel: str = Channel.STAFF) -> str:
    """Issue a new link; the old one stops working at once."""
    token = _mint_token(claim)
    claim.save(update_fields=["portal_token_hash", "portal_token_salt", "portal_token_issued_at",
                              "portal_revoked_at", "updated_at"])
    event_record(claim=claim, type=EventType.PORTAL, actor=actor, channel=channel,
                 data={"action": "rotated"})
    return token


@transaction.atomic
def portal_token_revoke(*, claim: Claim, actor: Any = None, channel: str = Channel.STAFF) -> None:
    """Kill the link without issuing a new one (rotate to issue one later)."""
    claim.portal_token_hash = None
    claim.portal_revoked_at = timezone.now()
    claim.save(update_fields=["portal_token_hash", "portal_revoked_at", "updated_at"])
    event_record(claim=claim, type=EventType.PORTAL, actor=actor, channel=channel,
                 data={"action": "revoked"})


@transaction.atomic
def claim_stage_set(
    *, claim: Claim, stage: Stage | str, actor: Any = None, channel: str = Channel.STAFF,
    actor_label: str = "",
) -> Claim:
    """Move the car to ``stage`` (a Stage of the claim's location or its slug)."""
    if isinstance(stage, str):
        stage = stage_by_slug(claim.location, stage)
    if stage.location_id != claim.location_id:
        raise ValidationError({"stage": ["That stage belongs to another location."]})
    if stage.pk == claim.stage_id:
        return claim
    previous = claim.stage
    now = timezone.now()
    claim.stage = stage
    claim.stage_entered_at = now
    claim.delivered_at = now if stage.is_delivery else None
    claim.save(update_fields=["stage", "stage_entered_at", "delivered_at", "updated_at"])
    event_record(
        claim=claim, type=EventType.STAGE, actor=actor, actor_label=actor_label, channel=channel,
        customer_visible=True,
        data={"from": previous.slug, "from_name": previous.name, "to": stage.slug,
              "to_name": stage.name},
    )
    return claim


@transaction.atomic
def claim_eta_set(
    *, claim: Claim, eta: dt.date | None, reason: str = "", actor: Any = None,
    channel: str = Channel.STAFF, actor_label: str = "",
) -> Claim:
    """Change the ETA, keeping the first promised date; a moved date needs a reason."""
    if eta == claim.eta:
        return claim
    errors: dict[str, list[str]] = {}
    _check_eta(claim.location, eta, errors)
    reason = (reason or "").strip()
    if claim.eta is not None and eta is not None and not reason:
        errors.setdefault("eta_reason", []).append(
            "Say why the date moved — the customer sees the reason (e.g. waiting on a part)."
        )
    if len(reason) > 200:
        errors.setdefault("eta_reason", []).append("Keep the reason under 200 characters.")
    if errors:
        raise ValidationError(errors)
    previous = claim.eta
    claim.eta = eta
    if claim.eta_first_promised is None:
        claim.eta_first_promised = eta
    claim.eta_reason = reason
    claim.eta_changed_at = timezone.now() if previous is not None else None
    claim.save(update_fields=["eta", "eta_first_promised", "eta_reason", "eta_changed_at",
                              "updated_at"])
    event_record(
        claim=claim, type=EventType.ETA, actor=actor, actor_label=actor_label, channel=channel,
        customer_visible=True,
        data={"eta": eta.isoformat() if eta else None,
              "previous": previous.isoformat() if previous else None,
              "first_promised": claim.eta_first_promised.isoformat()
              if claim.eta_first_promised else None,
              "reason": reason},
    )
    return claim


# Fields staff may change through claim_update (ETA and stage have their own services).
EDITABLE_FIELDS = (
    "claim_number", "ro_number", "carrier", "adjuster_name", "adjuster_phone", "adjuster_email",
    "deductible", "estimate_total", "rental_days_covered", "rental_start", "internal_notes",
    "show_estimate_total", "show_deductible",
)
VISIBILITY_FIELDS = ("show_estimate_total", "show_deductible", "deductible", "estimate_total")


@transaction.atomic
def claim_update(
    *, claim: Claim, changes: dict[str, Any], actor: Any = None, channel: str = Channel.STAFF,
    actor_label: str = "",
) -> Claim:
    """Apply validated field changes; records which fields changed (not their values)."""
    errors: dict[str, list[str]] = {}
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        errors["__all__"] = [f"These fields cannot be changed here: {', '.join(sorted(unknown))}."]
    clean = dict(changes)
    for money_field in ("deductible", "estimate_total"):
        if money_field in clean:
            clean[money_field] = _money(clean[money_field], money_field, errors)
    if "adjuster_phone" in clean:
        try:
            clean["adjuster_phone"] = normalize_phone(clean["adjuster_phone"] or "",
                                                      claim.location.country or "US")
        except ValidationError as exc:
            errors.setdefault("adjuster_phone", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in clean.items() if getattr(claim, name) != value]
    if not changed:
        return claim
    for name in changed:
        setattr(claim, name, clean[name])
    claim.full_clean(exclude=["stage", "customer", "vehicle", "location"])
    claim.save(update_fields=[*changed, "updated_at"])
    event_record(claim=claim, type=EventType.UPDATED, actor=actor, actor_label=actor_label,
                 channel=channel, data={"fields": changed})
    if any(name in VISIBILITY_FIELDS for name in changed):
        # A separate, customer-visible event so open portals refresh the money block; it
        # carries no amounts — the portal re-renders through its allow-list.
        event_record(claim=claim, type=EventType.VISIBILITY, actor=actor,
                     actor_label=actor_label, channel=channel, customer_visible=True, data={})
    return claim


@transaction.atomic
def claim_note_add(*, claim: Claim, body: str, actor: Any) -> None:
    """An internal note: staff-only, never on the portal or in its event stream."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write the note first."]})
    if len(body) > 4000:
        raise ValidationError({"body": ["Keep notes under 4,000 characters."]})
    event_record(claim=claim, type=EventType.NOTE, actor=actor, channel=Channel.STAFF,
                 data={"body": body})


# ---- back-office edits: customer, vehicle and the whole edit form ---------------------------

CUSTOMER_FIELDS = ("name", "phone", "email", "language", "sms_opt_in", "email_opt_in")
VEHICLE_FIELDS = ("year", "make", "model", "vin", "color", "plate")


def _merge_errors(errors: dict[str, list[str]], exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    else:
        errors.setdefault("__all__", []).extend(exc.messages)


@transaction.atomic
def customer_update(
    *, claim: Claim, data: CustomerInput, actor: Any = None, channel: str = Channel.STAFF,
) -> Customer:
    """Replace the claim's customer details. Turning an opt-in on records when consent was
    given; turning it off clears that time. Errors use the intake keys ("customer.phone")."""
    errors: dict[str, list[str]] = {}
    clean = _clean_customer(data, claim.location, errors)
    if errors:
        raise ValidationError(errors)
    customer = claim.customer
    changed = [name for name in CUSTOMER_FIELDS if getattr(customer, name) != clean[name]]
    if not changed:
        return customer
    now = timezone.now()
    update_fields = [*changed, "updated_at"]
    for name in changed:
        setattr(customer, name, clean[name])
        if name in ("sms_opt_in", "email_opt_in"):
            setattr(customer, f"{name}_at", now if clean[name] else None)
            update_fields.append(f"{name}_at")
    customer.save(update_fields=update_fields)
    event_record(claim=claim, type=EventType.UPDATED, actor=actor, channel=channel,
                 data={"fields": [f"customer.{name}" for name in changed]})
    return customer


@transaction.atomic
def vehicle_update(
    *, claim: Claim, data: VehicleInput, actor: Any = None, channel: str = Channel.STAFF,
) -> Vehicle:
    """Replace the claim's vehicle details (VIN check digit verified, plate upper-cased)."""
    errors: dict[str, list[str]] = {}
    clean = _clean_vehicle(data, errors)
    if errors:
        raise ValidationError(errors)
    vehicle = claim.vehicle
    changed = [name for name in VEHICLE_FIELDS if getattr(vehicle, name) != clean[name]]
    if not changed:
        return vehicle
    for name in changed:
        setattr(vehicle, name, clean[name])
    vehicle.save(update_fields=[*changed, "updated_at"])
    event_record(claim=claim, type=EventType.UPDATED, actor=actor, channel=channel,
                 data={"fields": [f"vehicle.{name}" for name in changed]})
    return vehicle


@dataclass
class ClaimEditInput:
    changes: dict[str, Any]
    customer: CustomerInput
    vehicle: VehicleInput
    eta: dt.date | None = None
    eta_reason: str = ""


def claim_edit(
    *, claim: Claim, data: ClaimEditInput, actor: Any = None, channel: str = Channel.STAFF,
) -> Claim:
    """Apply a whole staff edit form: all or nothing, and every problem reported at once.

    Runs claim_update, customer_update, vehicle_update and claim_eta_set in one transaction;
    if any of them rejects its part, everything rolls back and one ValidationError lists
    all the messages under the keys those services use.
    """
    errors: dict[str, list[str]] = {}
    steps = (
        lambda: claim_update(claim=claim, changes=data.changes, actor=actor, channel=channel),
        lambda: customer_update(claim=claim, data=data.customer, actor=actor, channel=channel),
        lambda: vehicle_update(claim=claim, data=data.vehicle, actor=actor, channel=channel),
        lambda: claim_eta_set(claim=claim, eta=data.eta, reason=data.eta_reason, actor=actor,
                              channel=channel),
    )
    try:
        with transaction.atomic():
            for step in steps:
                try:
                    step()
                except ValidationError as exc:
                    _merge_errors(errors, exc)
            if errors:
                raise ValidationError(errors)
    except ValidationError:
        # The rows rolled back; bring the in-memory objects back in line with them.
        claim.refresh_from_db()
        claim.customer.refresh_from_db()
        claim.vehicle.refresh_from_db()
        raise
    return claim
