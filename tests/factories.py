"""Factories for tests: build real rows through the services, not around them."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from claimory.claims.models import Claim
from claimory.claims.services import ClaimInput, CustomerInput, VehicleInput, claim_create
from claimory.shops.models import Location, Role, Workspace
from claimory.shops.services import (
    location_create,
    membership_add,
    staff_user_create,
    workspace_create,
)

# Valid VINs (check digit correct) for test vehicles.
VINS = (
    "1HGCM82633A004352",
    "1FTFW1ET9DFC10312",
    "2T1BURHE5JC074359",
    "5YJ3E1EA2KF317000",
    "1G1ZD5ST1JF246224",
    "3VWDX7AJ2BM339496",
)
_counter = itertools.count(1)


def make_workspace(name: str = "Northside Collision Group", plan: str = "professional"
                   ) -> Workspace:
    return workspace_create(name=name, plan=plan)


def make_location(workspace: Workspace | None = None, slug: str | None = None,
                  name: str = "Northside Collision", **fields) -> Location:
    workspace = workspace or make_workspace()
    n = next(_counter)
    fields.setdefault("phone", "+15125550100")
    fields.setdefault("address_line1", "4100 N Lamar Blvd")
    fields.setdefault("city", "Austin")
    fields.setdefault("region", "TX")
    fields.setdefault("postal_code", "78756")
    fields.setdefault("timezone", "America/Chicago")
    return location_create(workspace=workspace, slug=slug or f"shop-{n}", name=name, **fields)


def make_staff(workspace: Workspace, role: str = Role.FRONT_DESK,
               locations: list[Location] | None = None, email: str | None = None,
               password: str = "correct-horse-battery",  # noqa: S107
               first_name: str = "Dana"):
    email = email or f"staff{next(_counter)}@example.test"
    user = staff_user_create(email=email, password=password, first_name=first_name,
                             last_name="Staff")
    membership_add(user=user, workspace=workspace, role=role,
                   locations=locations if locations is not None
                   else list(workspace.locations.all()))
    return user


def make_claim(location: Location, *, actor=None, stage: str = "", name: str = "Maria Lopez",
               phone: str = "(512) 555-0142", language: str = "en", eta: dt.date | None = None,
               **fields) -> Claim:
    n = next(_counter)
    data = ClaimInput(
        customer=CustomerInput(name=name, phone=phone, email=f"customer{n}@example.test",
                               language=language, sms_opt_in=True),
        vehicle=VehicleInput(year=2019, make="Honda", model="Accord",
                             vin=VINS[n % len(VINS)], color="Silver", plate=f"ABC{n:04d}"),
        claim_number=fields.pop("claim_number", f"CLM-{n:06d}"),
        ro_number=fields.pop("ro_number", f"RO-{1000 + n}"),
        carrier=fields.pop("carrier", "State Farm"),
        deductible=fields.pop("deductible", "500.00"),
        estimate_total=fields.pop("estimate_total", "4250.75"),
        eta=eta if eta is not None else timezone.now().date() + dt.timedelta(days=7),
        stage=stage,
        internal_notes=fields.pop("internal_notes", "Adjuster pushing back on labor rate."),
        **fields,
    )
    return claim_create(location=location, data=data, actor=actor)
