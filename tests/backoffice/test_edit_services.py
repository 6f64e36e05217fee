import pytest
from django.core.exceptions import ValidationError

from claimory.claims.models import EventType
from claimory.claims.services import (
    ClaimEditInput,
    CustomerInput,
    VehicleInput,
    claim_edit,
    customer_update,
    vehicle_update,
)


def customer_of(claim, **changes) -> CustomerInput:
    c = claim.customer
    data = dict(name=c.name, phone=c.phone, email=c.email, language=c.language,
                sms_opt_in=c.sms_opt_in, email_opt_in=c.email_opt_in)
    data.update(changes)
    return CustomerInput(**data)


def vehicle_of(claim, **changes) -> VehicleInput:
    v = claim.vehicle
    data = dict(year=v.year, make=v.make, model=v.model, vin=v.vin, color=v.color, plate=v.plate)
    data.update(changes)
    return VehicleInput(**data)


def test_customer_update_records_consent_time_and_changed_fields(claim, front_desk):
    customer_update(claim=claim, data=customer_of(claim, sms_opt_in=False, email_opt_in=True),
                    actor=front_desk)
    claim.customer.refresh_from_db()
    assert claim.customer.sms_opt_in_at is None
    assert claim.customer.email_opt_in_at is not None
    event = claim.events.get(type=EventType.UPDATED)
    assert set(event.data["fields"]) == {"customer.sms_opt_in", "customer.email_opt_in"}
    assert not event.customer_visible


def test_customer_update_uses_intake_error_keys(claim):
    with pytest.raises(ValidationError) as exc:
        customer_update(claim=claim, data=customer_of(claim, phone="123", name=""))
    assert {"customer.phone", "customer.name"} <= set(exc.value.message_dict)


def test_vehicle_update_checks_vin(claim):
    with pytest.raises(ValidationError) as exc:
        vehicle_update(claim=claim, data=vehicle_of(claim, vin="1HGCM82633A004353"))
    assert "vehicle.vin" in exc.value.message_dict


def test_claim_edit_is_all_or_nothing(claim, front_desk):
    data = ClaimEditInput(changes={"carrier": "USAA"}, customer=customer_of(claim, name="New"),
                          vehicle=vehicle_of(claim, year=1800), eta=claim.eta)
    with pytest.raises(ValidationError) as exc:
        claim_edit(claim=claim, data=data, actor=front_desk)
    assert "vehicle.year" in exc.value.message_dict
    claim.refresh_from_db()
    assert claim.carrier == "State Farm" and claim.customer.name == "Maria Lopez"
    assert claim.events.count() == 1
