"""Applying an estimate to a location's claims: open one, update it, or leave it alone.

``estimate_apply`` is the one writer. It matches the estimate to a claim of the location
(the estimate's id, else claim number + VIN, else RO + VIN), then:

- no claim: opens one (``claim_create``) from the file;
- an older supplement than the claim already has: changes nothing (no rollback);
- the same supplement and content as last time: changes nothing;
- otherwise: field by field, a value the file changed is written unless staff changed that
  field since the last import (then staff's value is kept and listed), a value the file
  leaves blank never clears one; a new supplement number is recorded as a Supplement
  (``money.supplements.supplement_record``) with what it added to the total.

Each import that changes something writes one ESTIMATE event naming the file, the fields
changed and the staff values kept. Everything runs in one transaction under the location's
row lock, so two copies of one new estimate arriving together open one claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claimory.claims.events import event_record
from claimory.claims.models import Channel, Claim, EventType
from claimory.claims.services import (
    ClaimInput,
    CustomerInput,
    VehicleInput,
    claim_create,
    claim_update,
    customer_update,
    vehicle_update,
)
from claimory.claims.vin import validate_vin
from claimory.core.phones import normalize_phone
from claimory.estimates.models import Action, EstimateLink
from claimory.estimates.parsed import Estimate, EstimateRefused
from claimory.money.supplements import supplement_record
from claimory.shops.models import Location

ACTOR_LABEL = "Estimate import"
NO_OWNER_NAME = "Owner not named in the estimate"
CLAIM_FIELDS = ("claim_number", "ro_number", "carrier", "deductible", "estimate_total",
                "labor_hours")
CUSTOMER_FIELDS = ("name", "phone", "email")
VEHICLE_FIELDS = ("vin", "year", "make", "model", "color", "plate")
BASE_TOTAL = "_base_total"  # the total before the current supplement (its amount's base)


@dataclass
class Applied:
    action: str  # Action value
    claim: Claim | None
    line: str  # the result line shown to whoever sent the file
    fields: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def claim_label(claim: Claim) -> str:
    return claim.ro_number or claim.claim_number or f"#{claim.pk}"


def _money(value: Decimal | None) -> str:
    return f"{value:.2f}" if value is not None else ""


def file_values(location: Location, estimate: Estimate) -> dict[str, str]:
    """What the file says, as the claim would store it ("" where it says nothing usable)."""
    try:
        vin = validate_vin(estimate.vin)
    except ValidationError:
        raise EstimateRefused("the VIN in the estimate is not a valid VIN (check digit or "
                              "length)") from None
    try:
        phone = normalize_phone(estimate.owner.phone, location.country or "US")
    except ValidationError:
        phone = ""  # a bad number in the file must not block the claim
    email = estimate.owner.email
    try:
        validate_email(email) if email else None
    except ValidationError:
        email = ""
    year = estimate.vehicle.year
    this_year = timezone.now().year
    vehicle_year = str(year) if year and 1950 <= year <= this_year + 2 else ""
    labor = estimate.labor_hours.quantize(Decimal("0.1")) if estimate.labor_hours else None
    return {
        "claim_number": estimate.claim_number[:40], "ro_number": estimate.ro_number[:40],
        "carrier": estimate.insurer[:80], "deductible": _money(estimate.deductible),
        "estimate_total": _money(estimate.total),
        "labor_hours": f"{labor}" if labor is not None else "",
        "customer.name": estimate.owner.name[:120], "customer.phone": phone,
        "customer.email": email,
        "vehicle.vin": vin, "vehicle.year": vehicle_year,
        "vehicle.make": estimate.vehicle.make[:40], "vehicle.model": estimate.vehicle.model[:60],
        "vehicle.color": estimate.vehicle.color[:40],
        "vehicle.plate": estimate.vehicle.plate.upper()[:12],
    }


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value}"
    return str(value)


def current_values(claim: Claim) -> dict[str, str]:
    values = {name: _as_text(getattr(claim, name)) for name in CLAIM_FIELDS}
    values.update({f"customer.{n}": _as_text(getattr(claim.customer, n))
                   for n in CUSTOMER_FIELDS})
    values.update({f"vehicle.{n}": _as_text(getattr(claim.vehicle, n)) for n in VEHICLE_FIELDS})
    return values


def claim_match(location: Location, estimate: Estimate, vin: str) -> Claim | None:
    """The location's claim this estimate belongs to, or None: the same estimate id and
    VIN, else the same claim number and VIN (a claim opened by hand without a VIN counts),
    else the same RO number and VIN."""
    claims = Claim.objects.filter(location=location, archived=False).select_related(
        "customer", "vehicle", "location")
    if estimate.estimate_id:
        found = claims.filter(estimate_link__estimate_id=estimate.estimate_id,
                              vehicle__vin=vin).first()
        if found:
            return found
    vin_fits = Q(vehicle__vin=vin) | Q(vehicle__vin="")
    if estimate.claim_number:
        found = claims.filter(vin_fits, claim_number__iexact=estimate.claim_number) \
            .order_by("-vehicle__vin", "-created_at").first()
        if found:
            return found
    if estimate.ro_number:
        return claims.filter(vin_fits, ro_number__iexact=estimate.ro_number) \
            .order_by("-vehicle__vin", "-created_at").first()
    return None


def _lock(location: Location) -> None:
    """Serialise imports per location (PostgreSQL row lock; SQLite's write transaction is
    already exclusive): matching then creating must not race another import."""
    Location.objects.select_for_update().filter(pk=location.pk).values_list("pk", flat=True) \
        .get()


@transaction.atomic
def estimate_apply(*, location: Location, estimate: Estimate, source_name: str,
                   actor: Any = None, channel: str = Channel.SYSTEM) -> Applied:
    """Apply one parsed estimate to the location (see the module docstring). Raises
    ``EstimateRefused`` when the file's facts cannot make a claim (bad VIN)."""
    values = file_values(location, estimate)
    _lock(location)
    claim = claim_match(location, estimate, values["vehicle.vin"])
    if claim is None:
        return _create(location, estimate, values, source_name, actor, channel)
    Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk", flat=True).get()
    link = EstimateLink.objects.filter(claim=claim).first()
    label = claim_label(claim)
    if link is not None and estimate.supplement < link.supplement:
        return Applied(Action.SKIPPED, claim,
                       f"skipped: older than supplement {link.supplement} (claim {label})")
    if link is not None and estimate.supplement == link.supplement and \
            estimate.fingerprint == link.fingerprint:
        return Applied(Action.UNCHANGED, claim, f"unchanged: claim {label}")
    return _update(claim, link, estimate, values, source_name, actor, channel)


def _create(location: Location, estimate: Estimate, values: dict[str, str], source_name: str,
            actor: Any, channel: str) -> Applied:
    data = ClaimInput(
        customer=CustomerInput(name=values["customer.name"] or NO_OWNER_NAME,
                               phone=values["customer.phone"], email=values["customer.email"]),
        vehicle=VehicleInput(year=int(values["vehicle.year"]) if values["vehicle.year"] else None,
                             make=values["vehicle.make"], model=values["vehicle.model"],
                             vin=values["vehicle.vin"], color=values["vehicle.color"],
                             plate=values["vehicle.plate"]),
        claim_number=values["claim_number"], ro_number=values["ro_number"],
        carrier=values["carrier"], deductible=values["deductible"] or None,
        estimate_total=values["estimate_total"] or None)
    claim = claim_create(location=location, data=data, actor=actor, channel=channel,
                         actor_label=ACTOR_LABEL)
    if values["labor_hours"]:
        # The intake form has no labour hours; the rental day-counter reads them.
        Claim.objects.filter(pk=claim.pk).update(labor_hours=Decimal(values["labor_hours"]),
                                                 updated_at=timezone.now())
        claim.refresh_from_db()
    applied = Applied(Action.CREATED, claim, f"created claim {claim_label(claim)}")
    _supplement(claim, estimate, None, applied, actor, channel)
    _link_save(claim, None, estimate, values, source_name, base_total=None)
    _event(claim, applied, estimate, source_name, actor, channel)
    return applied


def _decide(values: dict[str, str], current: dict[str, str],
            previous: dict[str, str] | None) -> tuple[dict[str, str], list[str]]:
    """Which file values to write, and which fields keep a staff value instead."""
    changes: dict[str, str] = {}
    kept: list[str] = []
    for key, new in values.items():
        now = current.get(key, "")
        if not new or new == now:
            continue
        before = previous.get(key) if previous is not None else None
        if now == "" or (before is not None and now == before):
            changes[key] = new
        else:
            kept.append(key)
    return changes, kept


def _update(claim: Claim, link: EstimateLink | None, estimate: Estimate,
            values: dict[str, str], source_name: str, actor: Any, channel: str) -> Applied:
    previous = dict(link.values) if link is not None else None
    changes, kept = _decide(values, current_values(claim), previous)
    applied = Applied(Action.UPDATED, claim, "", fields=sorted(changes), kept=kept)
    _write(claim, changes, actor, channel)
    new_supplement = estimate.supplement > (link.supplement if link else 0)
    if new_supplement or (link and estimate.supplement == link.supplement):
        base = _base_total(claim, link, previous, new_supplement)
        _supplement(claim, estimate, base, applied, actor, channel)
    else:
        base = None
    label = claim_label(claim)
    if not applied.fields and not applied.kept and not new_supplement:
        applied.action = Action.UNCHANGED
        applied.line = f"unchanged: claim {label}"
    else:
        what = f"supplement {estimate.supplement}" if estimate.supplement else "estimate"
        applied.line = f"updated {what} (claim {label})"
        if applied.kept:
            applied.line += "; kept staff's " + ", ".join(_words(k) for k in applied.kept)
        _event(claim, applied, estimate, source_name, actor, channel)
    _link_save(claim, link, estimate, {**(previous or {}), **{k: v for k, v in values.items()
                                                               if v}},
               source_name, base_total=base)
    return applied


def _words(key: str) -> str:
    return key.replace("customer.", "customer ").replace("vehicle.", "vehicle ") \
        .replace("_", " ")


def _base_total(claim: Claim, link: EstimateLink | None, previous: dict[str, str] | None,
                new_supplement: bool) -> Decimal | None:
    """What the supplement's amount is counted from: the total before it."""
    if not new_supplement and previous and previous.get(BASE_TOTAL):
        return Decimal(previous[BASE_TOTAL])
    if link is not None and link.total is not None:
        return link.total
    return None


def _write(claim: Claim, changes: dict[str, str], actor: Any, channel: str) -> None:
    claim_changes = {k: v for k, v in changes.items() if k in CLAIM_FIELDS}
    if claim_changes:
        claim_update(claim=claim, changes=claim_changes, actor=actor, channel=channel,
                     actor_label=ACTOR_LABEL)
    customer_changes = {k.split(".", 1)[1]: v for k, v in changes.items()
                        if k.startswith("customer.")}
    if customer_changes:
        c = claim.customer
        merged = {"name": c.name, "phone": c.phone, "email": c.email, **customer_changes}
        customer_update(claim=claim, actor=actor, channel=channel, data=CustomerInput(
            **merged, language=c.language, sms_opt_in=c.sms_opt_in and bool(merged["phone"]),
            email_opt_in=c.email_opt_in and bool(merged["email"])))
    vehicle_changes = {k.split(".", 1)[1]: v for k, v in changes.items()
                       if k.startswith("vehicle.")}
    if vehicle_changes:
        v = claim.vehicle
        merged_v: dict[str, Any] = {n: getattr(v, n) for n in VEHICLE_FIELDS}
        merged_v.update(vehicle_changes)
        merged_v["year"] = int(merged_v["year"]) if merged_v["year"] else None
        vehicle_update(claim=claim, actor=actor, channel=channel,
                       data=VehicleInput(**merged_v))


def _supplement(claim: Claim, estimate: Estimate, base: Decimal | None, applied: Applied,
                actor: Any, channel: str) -> None:
    """Record supplement N with what it added to the total (never below zero)."""
    if not estimate.supplement or estimate.total is None:
        return
    amount = max(estimate.total - base, Decimal("0")) if base is not None else Decimal("0")
    try:
        _row, outcome = supplement_record(claim=claim, number=estimate.supplement,
                                          amount=amount, actor=actor,
                                          actor_label=ACTOR_LABEL, channel=channel)
    except ValidationError:
        # Staff already numbered a later supplement by hand: theirs stands.
        applied.kept.append("supplements")
        return
    if outcome != "unchanged":
        applied.fields.append(f"supplement {estimate.supplement}")


def _link_save(claim: Claim, link: EstimateLink | None, estimate: Estimate,
               values: dict[str, str], source_name: str, base_total: Decimal | None) -> None:
    if base_total is not None:
        values[BASE_TOTAL] = f"{base_total}"
    if link is None:
        link = EstimateLink(claim=claim)
    link.estimate_id = estimate.estimate_id
    link.supplement = max(link.supplement or 0, estimate.supplement)
    link.fingerprint = estimate.fingerprint
    link.values = values
    link.total = estimate.total if estimate.total is not None else link.total
    link.source_name = source_name[:200]
    link.save()


def _event(claim: Claim, applied: Applied, estimate: Estimate, source_name: str, actor: Any,
           channel: str) -> None:
    event_record(
        claim=claim, type=EventType.ESTIMATE, actor=actor, actor_label=ACTOR_LABEL,
        channel=channel, customer_visible=True,
        data={"action": applied.action, "file": source_name[:200], "source": estimate.source,
              "system": estimate.system, "supplement": estimate.supplement,
              "fields": applied.fields, "kept": applied.kept,
              "total": _money(estimate.total)})
