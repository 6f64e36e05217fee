"""What an estimate file says, whatever its format: one plain value the importer applies.

Both readers (``bms.py`` for CIECA BMS XML, ``ems.py`` for EMS dBase sets) return an
``Estimate`` or raise ``EstimateRefused`` with a reason meant for the person who sent the
file. Reasons never quote the file's content (a hostile file must not leak through them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation


class EstimateRefused(ValueError):
    """Not a usable estimate; ``str(exc)`` is the reason ("missing VEH table")."""


@dataclass(frozen=True)
class Person:
    name: str = ""
    phone: str = ""  # as written in the file; normalised when applied to a location
    email: str = ""


@dataclass(frozen=True)
class VehicleFacts:
    vin: str = ""
    year: int | None = None
    make: str = ""
    model: str = ""
    color: str = ""
    plate: str = ""
    mileage: int | None = None


@dataclass(frozen=True)
class Estimate:
    source: str  # "BMS" | "EMS"
    system: str  # "CCC ONE", "Mitchell", … or "" when the file does not say
    estimate_id: str  # the estimating system's id for the estimate (same across supplements)
    claim_number: str
    ro_number: str
    vehicle: VehicleFacts
    owner: Person
    insurer: str = ""
    policy: str = ""
    deductible: Decimal | None = None
    total: Decimal | None = None
    supplement: int = 0  # 0 = the original estimate
    line_count: int = 0
    labor_hours: Decimal = Decimal("0")
    created: dt.date | None = None
    fingerprint: str = field(default="", compare=False)

    @property
    def vin(self) -> str:
        return self.vehicle.vin

    def with_fingerprint(self) -> Estimate:
        """The same estimate carrying a hash of what it says (not of its bytes, so the BMS
        and EMS exports of one estimate can be compared)."""
        facts = asdict(self)
        for key in ("source", "system", "fingerprint", "created"):
            facts.pop(key)
        digest = hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode())
        return Estimate(**{**_shallow(self), "fingerprint": digest.hexdigest()})


def _shallow(estimate: Estimate) -> dict:
    return {name: getattr(estimate, name) for name in estimate.__dataclass_fields__}


def text(value: object, limit: int = 120) -> str:
    """A file's value as one clean line of at most ``limit`` characters."""
    if value is None:
        return ""
    cleaned = " ".join(str(value).replace("\x00", " ").split())
    return "".join(ch for ch in cleaned if ch.isprintable())[:limit]


def money(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > Decimal("9999999.99"):
        return None
    return amount.quantize(Decimal("0.01"))


def hours(value: object) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return Decimal("0")
    return amount if amount.is_finite() and 0 <= amount < 10000 else Decimal("0")


def model_year(value: object, today: dt.date | None = None) -> int | None:
    """4-digit years as they are; EMS's two-digit years into this century unless that would
    be more than a year ahead ("19" → 2019, "98" → 1998)."""
    raw = text(value, 8)
    if not raw.isdigit():
        return None
    year = int(raw)
    this_year = (today or dt.date.today()).year  # noqa: DTZ011 - a calendar year is enough
    if len(raw) <= 2:
        year += 2000 if year <= this_year % 100 + 1 else 1900
    return year if 1900 <= year <= this_year + 2 else None


def full_name(first: object, last: object, company: object = "") -> str:
    name = " ".join(p for p in (text(first, 60), text(last, 60)) if p)
    return name or text(company)
