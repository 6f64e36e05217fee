import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from claimory.claims.models import Claim, EventType
from claimory.claims.services import portal_token

URL = reverse("backoffice:claim_new")


def valid_post(**overrides) -> dict:
    data = {
        "location": "northside", "stage": "pictures",
        "customer_name": "Jordan Reyes", "customer_phone": "(512) 555-0123",
        "customer_email": "jordan@example.test", "customer_language": "es",
        "customer_sms_opt_in": "on", "customer_email_opt_in": "on",
        "vehicle_year": "2021", "vehicle_make": "Toyota", "vehicle_model": "Camry",
        "vehicle_vin": "2T1BURHE5JC074359", "vehicle_color": "Blue", "vehicle_plate": "kxr 4410",
        "claim_number": "SF-1234", "ro_number": "RO-9001", "carrier": "State Farm",
        "adjuster_name": "Pat Adjuster", "adjuster_phone": "512 555 0111",
        "adjuster_email": "pat@statefarm.test", "deductible": "$500", "estimate_total": "4,250.10",
        "rental_days_covered": "10",
        "eta": (timezone.now().date() + dt.timedelta(days=10)).isoformat(),
        "internal_notes": "Customer will pay deductible at pickup.",
    }
    data.update(overrides)
    return data


def error_for(response, field: str) -> str:
    """The text of the error list rendered right under ``field``'s input."""
    html = response.content.decode()
    match = re.search(rf'<ul class="errors" id="id_{field}_errors">(.*?)</ul>', html, re.S)
    assert match, f"no error shown next to {field}"
    return match.group(1)


def test_form_offers_only_the_users_locations(desk_client, southside):
    html = desk_client.get(URL).content.decode()
    assert 'value="northside"' in html
    assert "southside" not in html
    assert "customer agreed to receive text messages" in html


def test_owner_picks_from_every_location_with_grouped_stages(owner_client, southside):
    html = owner_client.get(URL).content.decode()
    assert 'value="southside"' in html and 'value="northside"' in html
    assert '<optgroup label="Southside Collision">' in html


def test_intake_creates_the_claim_and_offers_printing(desk_client, front_desk):
    response = desk_client.post(URL, valid_post())
    claim = Claim.objects.get(ro_number="RO-9001")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:claim", args=[claim.pk]) + "?new=1"
    assert claim.customer.name == "Jordan Reyes"
    assert claim.customer.phone == "+15125550123"
    assert claim.customer.language == "es"
    assert claim.customer.sms_opt_in_at is not None and claim.customer.email_opt_in_at is not None
    assert (claim.vehicle.year, claim.vehicle.plate) == (2021, "KXR 4410")
    assert str(claim.deductible) == "500.00" and str(claim.estimate_total) == "4250.10"
    assert claim.adjuster_phone == "+15125550111"
    assert claim.rental_days_covered == 10
    assert portal_token(claim)
    event = claim.events.get()
    assert event.type == EventType.CREATED and event.actor == front_desk
    page = desk_client.get(response["Location"]).content.decode()
    assert "Print the work order now" in page
    assert reverse("printables:work_order", args=[claim.pk]) in page


def test_intake_with_just_a_name_works(desk_client):
    response = desk_client.post(URL, {"location": "northside", "stage": "pictures",
                                      "customer_name": "Walk In", "customer_language": "en"})
    assert response.status_code == 302
    assert Claim.objects.get().customer.name == "Walk In"


@pytest.mark.parametrize("field, value, expected", [
    ("customer_phone", "555", "not a valid phone number"),
    ("customer_email", "not-an-email", "valid email"),
    ("vehicle_vin", "1HGCM82633A004353", "check digit"),
    ("vehicle_year", "1901", "between 1950"),
    ("deductible", "lots", "amount like"),
    ("estimate_total", "-5", "between 0"),
    ("eta", "2001-01-01", "in the past"),
    ("adjuster_phone", "12", "phone number"),
])
def test_each_validation_error_shows_next_to_its_field(desk_client, field, value, expected):
    response = desk_client.post(URL, valid_post(**{field: value}))
    assert response.status_code == 400
    assert expected in error_for(response, field)
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Claim.objects.exists()


def test_missing_name_and_consent_without_contact_are_explained(desk_client):
    response = desk_client.post(URL, valid_post(customer_name="", customer_phone="",
                                                customer_email=""))
    assert response.status_code == 400
    assert "customer&#x27;s name" in error_for(response, "customer_name")
    assert "need a phone number" in error_for(response, "customer_sms_opt_in")
    assert "need an email" in error_for(response, "customer_email_opt_in")


def test_service_errors_all_show_at_once(desk_client):
    response = desk_client.post(URL, valid_post(customer_phone="555",
                                                vehicle_vin="1HGCM82633A004353"))
    assert error_for(response, "customer_phone")
    assert error_for(response, "vehicle_vin")
    assert "Please check these fields" in response.content.decode()


def test_cannot_open_a_claim_at_a_location_the_user_does_not_work_at(desk_client, southside,
                                                                     other_location):
    for slug in ("southside", "elsewhere"):
        response = desk_client.post(URL, valid_post(location=slug))
        assert response.status_code == 400
        assert "valid choice" in error_for(response, "location")
    assert not Claim.objects.exists()


def test_unknown_stage_is_refused(desk_client):
    response = desk_client.post(URL, valid_post(stage="paint"))
    assert response.status_code == 400
    assert error_for(response, "stage")
