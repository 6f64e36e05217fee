"""Phone numbers: parse what a person typed, store E.164, show it nationally."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError


def normalize_phone(raw: str, region: str = "US") -> str:
    """Return E.164 ('+15125550100') or raise ValidationError. Empty stays empty."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            f"“{raw}” is not a phone number. Use the 10-digit number, e.g. (512) 555-0100.",
            code="phone_parse",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"“{raw}” is not a valid phone number. Check the area code and the digit count.",
            code="phone_invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 1 \
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)
