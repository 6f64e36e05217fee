import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from claimory.claims.models import Claim
from claimory.claims.services import claim_stage_set
from tests.factories import make_claim

URL = reverse("backoffice:claims")


def rows(response) -> str:
    html = response.content.decode()
    return html[html.find("<tbody>"):html.find("</tbody>")]


@pytest.fixture
def garage(location, front_desk):
    """Three distinct claims to search among."""
    return {
        "maria": make_claim(location, actor=front_desk, name="Maria Lopez",
                            phone="(512) 555-0142", claim_number="SF-778812", ro_number="RO-2001",
                            carrier="State Farm"),
        "dev": make_claim(location, actor=front_desk, name="Devon Park", phone="512-555-0199",
                          claim_number="GE-1200", ro_number="RO-2002", carrier="GEICO",
                          stage="teardown"),
        "ana": make_claim(location, actor=front_desk, name="Ana Ruiz", phone="5125550177",
                          claim_number="PR-55", ro_number="RO-2003", carrier="Progressive"),
    }


def test_list_shows_claims_of_the_users_shop(desk_client, garage):
    response = desk_client.get(URL)
    assert response.status_code == 200
    body = rows(response)
    for name in ("Maria Lopez", "Devon Park", "Ana Ruiz"):
        assert name in body
    assert "3 claims" in response.content.decode()


@pytest.mark.parametrize("query, expected", [
    ("devon", "Devon Park"),
    ("555-0177", "Ana Ruiz"),
    ("(512) 555-0199", "Devon Park"),
    ("SF-778812", "Maria Lopez"),
    ("RO-2002", "Devon Park"),
])
def test_search_finds_by_name_phone_claim_and_ro(desk_client, garage, query, expected):
    body = rows(desk_client.get(URL, {"q": query}))
    assert expected in body
    assert sum(name in body for name in ("Maria Lopez", "Devon Park", "Ana Ruiz")) == 1


def test_search_finds_by_vin_and_plate(desk_client, garage):
    ana = garage["ana"]
    assert "Ana Ruiz" in rows(desk_client.get(URL, {"q": ana.vehicle.vin}))
    body = rows(desk_client.get(URL, {"q": ana.vehicle.plate.lower()}))
    assert "Ana Ruiz" in body and "Maria Lopez" not in body


def test_filter_by_stage_and_carrier(desk_client, garage):
    body = rows(desk_client.get(URL, {"stage": "teardown"}))
    assert "Devon Park" in body and "Maria Lopez" not in body
    body = rows(desk_client.get(URL, {"carrier": "Progressive"}))
    assert "Ana Ruiz" in body and "Devon Park" not in body


def test_filter_eta_past_due_skips_delivered_cars(desk_client, garage, front_desk):
    late = garage["maria"]
    Claim.objects.filter(pk=late.pk).update(eta=timezone.now().date() - dt.timedelta(days=3))
    delivered = garage["dev"]
    Claim.objects.filter(pk=delivered.pk).update(eta=timezone.now().date() - dt.timedelta(days=3))
    claim_stage_set(claim=delivered, stage="delivered", actor=front_desk)
    response = desk_client.get(URL, {"overdue": "on"})
    body = rows(response)
    assert "Maria Lopez" in body
    assert "Devon Park" not in body and "Ana Ruiz" not in body
    assert "past due" in body


def test_location_filter_for_owner_with_two_shops(owner_client, garage, south_claim):
    everything = rows(owner_client.get(URL))
    assert "Sam Southside" in everything and "Maria Lopez" in everything
    only_south = rows(owner_client.get(URL, {"location": "southside"}))
    assert "Sam Southside" in only_south and "Maria Lopez" not in only_south


def test_sort_by_customer_name(desk_client, garage):
    body = rows(desk_client.get(URL, {"sort": "customer"}))
    assert body.index("Ana Ruiz") < body.index("Devon Park") < body.index("Maria Lopez")


def test_bad_filter_values_are_ignored_not_errors(desk_client, garage):
    response = desk_client.get(URL, {"stage": "<script>", "sort": "nope", "page": "zzz",
                                     "location": "elsewhere"})
    assert response.status_code == 200
    assert "Maria Lopez" in rows(response)


def test_list_paginates(desk_client, location, front_desk):
    for i in range(27):
        make_claim(location, actor=front_desk, name=f"Customer {i:02d}")
    first = desk_client.get(URL, {"sort": "customer"})
    assert "Page 1 of 2" in first.content.decode()
    second = desk_client.get(URL, {"sort": "customer", "page": 2})
    assert rows(second).count("<tr>") == 2


def test_empty_shop_invites_the_first_claim(desk_client):
    html = desk_client.get(URL).content.decode()
    assert "No claims yet" in html
    assert reverse("backoffice:claim_new") in html


def test_search_without_match_says_so(desk_client, garage):
    html = desk_client.get(URL, {"q": "zzzz-nothing"}).content.decode()
    assert "No claims match" in html


def test_outsider_never_sees_our_claims(outsider_client, garage, other_claim):
    body = rows(outsider_client.get(URL))
    assert "Someone Else" in body
    assert "Maria Lopez" not in body
    assert "Maria Lopez" not in rows(outsider_client.get(URL, {"q": "Maria"}))


def test_front_desk_does_not_see_another_location_of_the_workspace(desk_client, garage,
                                                                   south_claim):
    body = rows(desk_client.get(URL))
    assert "Sam Southside" not in body
    assert "Sam Southside" not in rows(desk_client.get(URL, {"location": "southside"}))


def test_list_query_count_does_not_grow_with_claims(desk_client, location, front_desk,
                                                    django_assert_num_queries):
    for _ in range(3):
        make_claim(location, actor=front_desk)
    desk_client.get(URL)  # warm the session
    with django_assert_num_queries(10):  # + the nav inbox badge, the location picker
        desk_client.get(URL)
    for _ in range(10):
        make_claim(location, actor=front_desk, carrier="Allstate")
    with django_assert_num_queries(10):  # + the nav inbox badge, the location picker
        desk_client.get(URL)
