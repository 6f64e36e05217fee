"""Staff edits to a claim, its customer and its vehicle, field by field or as one form."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, Customer, EventType, Vehicle
from claimory.claims.services.inputs import ClaimEditInput, CustomerInput, VehicleInput
from claimory.claims.services.progress import claim_eta_set
from claimory.claims.services.validation import (
    customer_clean,
    errors_merge,
    labor_hours_parse,
    money_parse,
    rental_days_check,
    rental_start_check,
    vehicle_clean,
)
from claimory.core.phones import normalize_phone
from claimory.core.text import has_visible_text
from claimory.shops.permissions import MONEY_FIELDS, authorize

# Fields staff may change through claim_update (ETA and stage have their own services).
EDITABLE_FIELDS = (
    "claim_number", "ro_number", "carrier", "adjuster_name", "adjuster_phone", "adjuster_email",
    "deductible", "estimate_total", "rental_days_covered", "rental_start", "rental_company",
    "labor_hours", "internal_notes", "show_estimate_total", "show_deductible",
)
# Fields the portal's money block shows (or computes from): a change re-renders open portals.
VISIBILITY_FIELDS = ("show_estimate_total", "show_deductible", "deductible", "estimate_total",
                     "rental_days_covered", "rental_start", "rental_company", "labor_hours",
                     "carrier")


@transaction.atomic
def claim_update(
    *, claim: Claim, changes: dict[str, Any], actor: Any = None, channel: str = Channel.STAFF,
    actor_label: str = "",
) -> Claim:
    """Apply validated field changes; records which fields changed (not their values).

    A staff actor needs claim.edit, and claim.money_edit as soon as a money field changes.
    """
    authorize(actor, "claim.edit", claim.location)
    errors: dict[str, list[str]] = {}
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        errors["__all__"] = [f"These fields cannot be changed here: {', '.join(sorted(unknown))}."]
    clean = dict(changes)
    for money_field in ("deductible", "estimate_total"):
        if money_field in clean:
            clean[money_field] = money_parse(clean[money_field], money_field, errors)
    if "adjuster_phone" in clean:
        try:
            clean["adjuster_phone"] = normalize_phone(clean["adjuster_phone"] or "",
                                                      claim.location.country or "US")
        except ValidationError as exc:
            errors.setdefault("adjuster_phone", []).extend(exc.messages)
    if "rental_start" in clean:
        rental_start_check(claim.location, clean["rental_start"], errors)
    if "rental_days_covered" in clean:
        rental_days_check(clean["rental_days_covered"], errors)
    if "rental_company" in clean:
        clean["rental_company"] = (clean["rental_company"] or "").strip()
        if len(clean["rental_company"]) > 80:
            errors.setdefault("rental_company", []).append(
                "Keep the rental company under 80 characters.")
    if "labor_hours" in clean:
        clean["labor_hours"] = labor_hours_parse(clean["labor_hours"], errors)
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in clean.items() if getattr(claim, name) != value]
    if not changed:
        return claim
    if any(name in MONEY_FIELDS for name in changed):
        authorize(actor, "claim.money_edit", claim.location)
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
    authorize(actor, "claim.note", claim.location)
    body = (body or "").strip()
    if not has_visible_text(body):
        raise ValidationError({"body": ["Write the note first."]})
    if len(body) > 4000:
        raise ValidationError({"body": ["Keep notes under 4,000 characters."]})
    event_record(claim=claim, type=EventType.NOTE, actor=actor, channel=Channel.STAFF,
                 data={"body": body})


# ---- back-office edits: customer, vehicle and the whole edit form ---------------------------

CUSTOMER_FIELDS = ("name", "phone", "email", "language", "sms_opt_in", "email_opt_in")
VEHICLE_FIELDS = ("year", "make", "model", "vin", "color", "plate")


@transaction.atomic
def customer_update(
    *, claim: Claim, data: CustomerInput, actor: Any = None, channel: str = Channel.STAFF,
) -> Customer:
    """Replace the claim's customer details. Turning an opt-in on records when consent was
    given; turning it off clears that time. Errors use the intake keys ("customer.phone")."""
    authorize(actor, "claim.edit", claim.location)
    errors: dict[str, list[str]] = {}
    clean = customer_clean(data, claim.location, errors)
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
    if "sms_opt_in" in changed and customer.phone:
        _consent_changed_by_staff(claim, customer, actor=actor, channel=channel)
    return customer


def _consent_changed_by_staff(claim: Claim, customer: Customer, *, actor: Any,
                              channel: str) -> None:
    """A teammate (or an API client) turned texts on or off: into the consent ledger, which
    applies it to the number at this location (every claim of it)."""
    from claimory.sms.consent import consent_record
    from claimory.sms.models import Consent, ConsentMethod

    on = customer.sms_opt_in
    api = channel == Channel.API
    consent_record(
        location=claim.location, phone=customer.phone,
        status=Consent.OPTED_IN if on else Consent.OPTED_OUT,
        method=ConsentMethod.API if api else ConsentMethod.STAFF_EDIT,
        evidence=("“Text updates (SMS)” " + ("checked" if on else "unchecked")
                  + (" through the API" if api else " on the claim's edit form")),
        actor=actor, claim=claim)


@transaction.atomic
def vehicle_update(
    *, claim: Claim, data: VehicleInput, actor: Any = None, channel: str = Channel.STAFF,
) -> Vehicle:
    """Replace the claim's vehicle details (VIN check digit verified, plate upper-cased)."""
    authorize(actor, "claim.edit", claim.location)
    errors: dict[str, list[str]] = {}
    clean = vehicle_clean(data, errors)
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
                    errors_merge(errors, exc)
            if errors:
                raise ValidationError(errors)
    except ValidationError:
        # The rows rolled back; bring the in-memory objects back in line with them.
        claim.refresh_from_db()
        claim.customer.refresh_from_db()
        claim.vehicle.refresh_from_db()
        raise
    return claim
