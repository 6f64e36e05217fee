import re

import pytest
from django.urls import reverse

from claimory.shops.models import Role
from tests.factories import make_staff

STAGES = reverse("backoffice:settings_stages")
LOCATION = reverse("backoffice:settings_location")


def order(location):
    return list(location.stages.order_by("position", "id").values_list("slug", flat=True))


def location_form(client, slug="northside") -> dict:
    """The location form as the page renders it, to submit back with changes."""
    html = client.get(LOCATION, {"location": slug}).content.decode()
    data = dict(re.findall(r'<input type="(?:text|tel|email|number|color|time|url)" name="(\w+)"'
                           r'(?: value="([^"]*)")?', html))
    data.update({n: "on" for n in re.findall(r'<input type="checkbox" name="(\w+)"[^>]*checked',
                                             html)})
    data["timezone"] = re.search(r'<option value="([^"]+)" selected>', html).group(1)
    return data


@pytest.mark.parametrize("url", [STAGES, LOCATION])
def test_front_desk_gets_a_403_page_for_settings(desk_client, url):
    response = desk_client.get(url)
    assert response.status_code == 403
    assert "Only owners and managers" in response.content.decode()


def test_settings_link_only_for_owners_and_managers(desk_client, client, owner, location):
    assert reverse("backoffice:settings") not in desk_client.get(
        reverse("backoffice:claims")).content.decode()
    client.force_login(owner)
    assert reverse("backoffice:settings") in client.get(
        reverse("backoffice:claims")).content.decode()


def test_manager_may_change_settings(client, workspace, location):
    manager = make_staff(workspace, Role.MANAGER, email="mgr@northside.test")
    client.force_login(manager)
    assert client.get(STAGES).status_code == 200


def test_stages_page_lists_stages_in_order(owner_client, location):
    html = owner_client.get(STAGES).content.decode()
    positions = [html.index(f'id="stage-{slug}"') for slug in order(location)]
    assert positions == sorted(positions)
    assert "Supplement sent" in html and "Suplemento enviado" in html


def test_rename_stage_in_english_and_spanish(owner_client, location):
    response = owner_client.post(reverse("backoffice:stage_edit", args=["northside", "started"]), {
        "stage-started-name": "Body & paint", "stage-started-name_es": "Carrocería y pintura",
        "stage-started-explanation_en": "We repair and paint the panels.",
        "stage-started-explanation_es": "Reparamos y pintamos."})
    assert response.status_code == 302
    stage = location.stages.get(slug="started")
    assert (stage.name, stage.name_es) == ("Body & paint", "Carrocería y pintura")
    assert stage.explanation_es == "Reparamos y pintamos."


def test_stage_without_a_name_is_refused(owner_client, location):
    response = owner_client.post(reverse("backoffice:stage_edit", args=["northside", "started"]),
                                 {"stage-started-name": ""})
    assert response.status_code == 400
    assert 'id="id_stage-started-name_errors"' in response.content.decode()
    assert location.stages.get(slug="started").name == "Repairs started"


def test_reorder_with_up_and_down_buttons(owner_client, location):
    before = order(location)
    move = reverse("backoffice:stage_move", args=["northside", "teardown"])
    owner_client.post(move, {"direction": "up"})
    after = order(location)
    i = before.index("teardown")
    assert after[i - 1] == "teardown" and after[i] == before[i - 1]
    owner_client.post(move, {"direction": "down"})
    assert order(location) == before


def test_top_stage_cannot_go_higher_and_bad_direction_is_400(owner_client, location):
    before = order(location)
    owner_client.post(reverse("backoffice:stage_move", args=["northside", before[0]]),
                      {"direction": "up"})
    assert order(location) == before
    response = owner_client.post(reverse("backoffice:stage_move", args=["northside", "teardown"]),
                                 {"direction": "sideways"})
    assert response.status_code == 400


def test_add_stage_goes_to_the_end(owner_client, location):
    response = owner_client.post(reverse("backoffice:stage_new", args=["northside"]), {
        "new-name": "Parts on order", "new-name_es": "Piezas pedidas",
        "new-explanation_en": "Waiting for parts."})
    assert response.status_code == 302
    assert order(location)[-1] == "parts_on_order"
    duplicate = owner_client.post(reverse("backoffice:stage_new", args=["northside"]),
                                  {"new-name": "Parts on order"})
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.content.decode()


def test_unknown_stage_slug_is_404(owner_client, location):
    url = reverse("backoffice:stage_edit", args=["northside", "nope"])
    assert owner_client.post(url, {}).status_code == 404


def test_location_settings_save(owner_client, location):
    data = location_form(owner_client)
    data.update({"phone": "512-555-0199", "sms_number": "(512) 555-0188", "tagline": "Since 1987",
                 "portal_expiry_days": "45", "timezone": "America/Denver",
                 "brand_color": "#0f766e", "business_hours_sun_open": "10:00",
                 "business_hours_sun_close": "14:00", "pickup_hours_sat_closed": "on"})
    data.pop("show_deductible", None)
    data.pop("business_hours_sun_closed", None)
    response = owner_client.post(f"{LOCATION}?location=northside", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    location.refresh_from_db()
    assert location.phone == "+15125550199" and location.sms_number == "+15125550188"
    assert location.tagline == "Since 1987" and location.portal_expiry_days == 45
    assert location.timezone == "America/Denver" and location.brand_color == "#0f766e"
    assert location.business_hours["sun"] == {"open": "10:00", "close": "14:00"}
    assert location.pickup_hours["sat"] is None
    assert location.show_deductible is False and location.show_estimate_total is True


def test_location_settings_errors_show_by_their_inputs(owner_client, location):
    data = location_form(owner_client)
    data.update({"phone": "123", "business_hours_mon_open": "18:00",
                 "business_hours_mon_close": "08:00", "brand_color": "blue"})
    response = owner_client.post(f"{LOCATION}?location=northside", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_phone_errors"' in html
    assert 'id="business_hours_errors"' in html and "closing time must be after" in html
    location.refresh_from_db()
    assert location.phone == "+15125550100"


def test_half_filled_day_asks_for_both_times(owner_client, location):
    data = location_form(owner_client)
    data.update({"business_hours_sun_open": "10:00", "business_hours_sun_close": ""})
    data.pop("business_hours_sun_closed", None)
    response = owner_client.post(f"{LOCATION}?location=northside", data)
    assert response.status_code == 400
    assert "Give both times" in response.content.decode()
