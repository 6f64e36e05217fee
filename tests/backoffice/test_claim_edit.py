import datetime as dt
import re

from django.urls import reverse

from claimory.claims.models import EventType


def edit_url(claim):
    return reverse("backoffice:claim_edit", args=[claim.pk])


def current_values(client, claim) -> dict:
    """What the edit form submits untouched: every field with its current value."""
    html = client.get(edit_url(claim)).content.decode()
    data = {}
    for name, value in re.findall(r'<input type="(?:text|tel|email|number|date)" name="(\w+)"'
                                  r'(?: value="([^"]*)")?', html):
        data[name] = value
    for name in re.findall(r'<input type="checkbox" name="(\w+)"[^>]*checked', html):
        data[name] = "on"
    for name, value in re.findall(r'<input type="radio" name="(\w+)" value="(\w+)"[^>]*checked',
                                  html):
        data[name] = value
    data["customer_language"] = claim.customer.language
    data["internal_notes"] = claim.internal_notes
    return data


def errors_for(response, field):
    match = re.search(rf'id="id_{field}_errors">(.*?)</ul>', response.content.decode(), re.S)
    assert match, f"no error next to {field}"
    return match.group(1)


def test_edit_form_is_prefilled(desk_client, claim):
    response = desk_client.get(edit_url(claim))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Maria Lopez"' in html
    assert 'value="(512) 555-0142"' in html
    assert f'value="{claim.vehicle.vin}"' in html
    assert 'value="4250.75"' in html


def test_saving_unchanged_form_records_nothing(desk_client, claim):
    before = claim.events.count()
    response = desk_client.post(edit_url(claim), current_values(desk_client, claim))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert claim.events.count() == before


def test_edit_changes_claim_customer_and_vehicle(desk_client, claim):
    data = current_values(desk_client, claim)
    data.update(carrier="GEICO", customer_name="Maria L. Lopez", customer_phone="512-555-0100",
                vehicle_color="Midnight Blue", vehicle_plate="new 123", deductible="250",
                rental_days_covered="7")
    response = desk_client.post(edit_url(claim), data)
    assert response["Location"] == reverse("backoffice:claim", args=[claim.pk])
    claim.refresh_from_db()
    claim.customer.refresh_from_db()
    claim.vehicle.refresh_from_db()
    assert claim.carrier == "GEICO" and str(claim.deductible) == "250.00"
    assert claim.rental_days_covered == 7
    assert claim.customer.name == "Maria L. Lopez" and claim.customer.phone == "+15125550100"
    assert claim.vehicle.color == "Midnight Blue" and claim.vehicle.plate == "NEW 123"
    changed = [f for e in claim.events.filter(type=EventType.UPDATED) for f in e.data["fields"]]
    assert {"carrier", "deductible", "customer.name", "vehicle.color"} <= set(changed)


def test_moving_the_eta_requires_a_reason(desk_client, claim):
    data = current_values(desk_client, claim)
    later = claim.eta + dt.timedelta(days=3)
    data["eta"] = later.isoformat()
    response = desk_client.post(edit_url(claim), data)
    assert response.status_code == 400
    assert "Say why the date moved" in errors_for(response, "eta_reason")
    claim.refresh_from_db()
    assert claim.eta != later
    data["eta_reason"] = "Waiting on a back-ordered headlamp"
    assert desk_client.post(edit_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert claim.eta == later and claim.eta_first_promised != later
    assert claim.eta_reason == "Waiting on a back-ordered headlamp"


def test_visibility_overrides_default_show_hide(desk_client, claim):
    data = current_values(desk_client, claim)
    data.update(show_estimate_total="hide", show_deductible="show")
    desk_client.post(edit_url(claim), data)
    claim.refresh_from_db()
    assert claim.show_estimate_total is False and claim.show_deductible is True
    assert claim.events.filter(type=EventType.VISIBILITY, customer_visible=True).exists()
    data.update(show_estimate_total="default")
    desk_client.post(edit_url(claim), data)
    claim.refresh_from_db()
    assert claim.show_estimate_total is None


def test_one_bad_field_saves_nothing_and_errors_sit_by_their_fields(desk_client, claim):
    data = current_values(desk_client, claim)
    data.update(carrier="Allstate", vehicle_vin="1HGCM82633A004353", customer_phone="12",
                deductible="a lot")
    response = desk_client.post(edit_url(claim), data)
    assert response.status_code == 400
    assert "check digit" in errors_for(response, "vehicle_vin")
    assert errors_for(response, "customer_phone")
    assert errors_for(response, "deductible")
    claim.refresh_from_db()
    assert claim.carrier == "State Farm"
    assert not claim.events.filter(type=EventType.UPDATED).exists()


def test_bad_visibility_choice_is_a_400(desk_client, claim):
    data = current_values(desk_client, claim)
    data["show_deductible"] = "maybe"
    assert desk_client.post(edit_url(claim), data).status_code == 400
