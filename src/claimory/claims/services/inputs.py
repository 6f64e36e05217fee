"""What callers hand to the claim services: plain dataclasses, validated by the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from claimory.claims.models import Language


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




@dataclass
class ClaimEditInput:
    changes: dict[str, Any]
    customer: CustomerInput
    vehicle: VehicleInput
    eta: dt.date | None = None
    eta_reason: str = ""
