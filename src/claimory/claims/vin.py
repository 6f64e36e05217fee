"""VIN validation: 17 characters, no I/O/Q, and the North-American check digit (49 CFR 565)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    total = sum(_TRANSLITERATION[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_vin(raw: str) -> str:
    return "".join(raw.split()).upper()


def validate_vin(raw: str) -> str:
    """Return the normalised VIN or raise ValidationError with a message a person understands."""
    vin = normalize_vin(raw)
    if len(vin) != 17:
        raise ValidationError(
            f"A VIN has 17 characters; this one has {len(vin)}. Check the door jamb or "
            "dashboard plate.", code="vin_length",
        )
    bad = sorted({ch for ch in vin if ch in "IOQ"})
    if bad:
        raise ValidationError(
            f"A VIN never contains the letters I, O or Q (found {', '.join(bad)}). "
            "These are usually the digits 1 and 0.", code="vin_letters",
        )
    unknown = sorted({ch for ch in vin if ch not in _TRANSLITERATION})
    if unknown:
        raise ValidationError(
            f"A VIN has only letters and digits (found {''.join(unknown)!r}).", code="vin_chars"
        )
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        raise ValidationError(
            f"This VIN fails its check digit (9th character is {vin[8]}, expected {expected}): "
            "one character is probably mistyped.", code="vin_check_digit",
        )
    return vin
