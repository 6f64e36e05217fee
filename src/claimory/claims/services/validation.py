"""Field checks shared by intake and edits; every problem is collected, then raised at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from claimory.claims.models import Language
from claimory.claims.services.inputs import ClaimInput, CustomerInput, VehicleInput
from claimory.claims.vin import validate_vin
from claimory.core.phones import normalize_phone
from claimory.core.text import has_visible_text
from claimory.shops.models import Location, Stage

MONEY_MAX = Decimal("9999999.99")
# Sane windows for dates, relative to the location's today: a typo like 0001-01-01 or
# 9999-12-31 would otherwise reach the portal ("Day 739541").
ETA_MAX_AHEAD = dt.timedelta(days=730)
RENTAL_START_MAX_BACK = dt.timedelta(days=730)
RENTAL_START_MAX_AHEAD = dt.timedelta(days=365)
RENTAL_DAYS_MAX = 365


def location_today(location: Location) -> dt.date:
    try:
        tz = ZoneInfo(location.timezone)
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    return timezone.now().astimezone(tz).date()


def money_parse(value: Any, field_name: str, errors: dict[str, list[str]]) -> Decimal | None:
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


LABOR_HOURS_MAX = Decimal("9999.9")


def labor_hours_parse(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation:
        hours = None
    if hours is None or not hours.is_finite() or not 0 <= hours <= LABOR_HOURS_MAX:
        errors.setdefault("labor_hours", []).append(
            f"Enter labour hours from 0 to {LABOR_HOURS_MAX}, like 23.5.")
        return None
    return hours.quantize(Decimal("0.1"))


def eta_check(location: Location, eta: dt.date | None, errors: dict[str, list[str]],
              field_name: str = "eta") -> None:
    if eta is None:
        return
    today = location_today(location)
    if eta < today:
        errors.setdefault(field_name, []).append(
            "The estimated completion date is in the past. Pick today or a later date."
        )
    elif eta > today + ETA_MAX_AHEAD:
        errors.setdefault(field_name, []).append(
            "The estimated completion date is more than two years away. Pick a date on or "
            f"before {(today + ETA_MAX_AHEAD).isoformat()}."
        )


def rental_start_check(location: Location, start: dt.date | None,
                       errors: dict[str, list[str]]) -> None:
    if start is None:
        return
    today = location_today(location)
    earliest, latest = today - RENTAL_START_MAX_BACK, today + RENTAL_START_MAX_AHEAD
    if not earliest <= start <= latest:
        errors.setdefault("rental_start", []).append(
            f"The rental start date must be between {earliest.isoformat()} and "
            f"{latest.isoformat()} (two years back to one year ahead)."
        )


def rental_days_check(days: Any, errors: dict[str, list[str]]) -> None:
    if days is None:
        return
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= RENTAL_DAYS_MAX:
        errors.setdefault("rental_days_covered", []).append(
            f"Rental days covered must be a whole number from 0 to {RENTAL_DAYS_MAX}."
        )


def stage_by_slug(location: Location, slug: str) -> Stage:
    stage = Stage.objects.filter(location=location, slug=slug).first()
    if stage is None:
        names = ", ".join(Stage.objects.filter(location=location).values_list("slug", flat=True))
        raise ValidationError({"stage": [f"Unknown stage “{slug}”. Use one of: {names}."]})
    return stage


def customer_clean(data: CustomerInput, location: Location, errors: dict) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": (data.name or "").strip(),
        "email": (data.email or "").strip(),
        "language": data.language or Language.ENGLISH,
        "sms_opt_in": bool(data.sms_opt_in),
        "email_opt_in": bool(data.email_opt_in),
    }
    if not has_visible_text(out["name"]):
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


def vehicle_clean(data: VehicleInput, errors: dict) -> dict[str, Any]:
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
    customer = customer_clean(data.customer, location, errors)
    vehicle = vehicle_clean(data.vehicle, errors)
    deductible = money_parse(data.deductible, "deductible", errors)
    estimate_total = money_parse(data.estimate_total, "estimate_total", errors)
    eta_check(location, data.eta, errors)
    rental_days_check(data.rental_days_covered, errors)
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


def errors_merge(errors: dict[str, list[str]], exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    else:
        errors.setdefault("__all__", []).extend(exc.messages)
