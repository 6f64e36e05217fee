"""Settings → Texting number: an owner finds a local number and orders it (polled until the
order completes), or enters the shop's own; nobody else, and no other shop, gets in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claimory.core import durable
from claimory.shops.models import Role
from claimory.sms.models import NumberOrder, OrderState
from tests.factories import make_staff

PAGE = reverse("backoffice:settings_texting")


def _page(location) -> str:
    return f"{PAGE}?location={location.slug}"


def _order_url(location) -> str:
    return reverse("backoffice:number_order_new", args=[location.slug])


def _poll_until_settled(limit: int = 10) -> NumberOrder:
    """Run the order's polls one after the other, as the worker would after each wait."""
    for _ in range(limit):
        NumberOrder.objects.update(due_at=None)
        if not durable.run_due():
            break
    return NumberOrder.objects.get()


@pytest.fixture
def profiled(location):
    location.messaging_profile_id = "40017a2b-profile-northside"
    location.save(update_fields=["messaging_profile_id"])
    return location


def test_owner_orders_a_number_found_by_area_code(fake_telnyx, profiled, owner, client,
                                                  django_capture_on_commit_callbacks):
    client.force_login(owner)
    page = client.get(_page(profiled), {"area_code": "737"})
    assert page.status_code == 200
    assert b"+17375550001" in page.content and b"simulated" not in page.content
    assert fake_telnyx.searches[0]["filter[national_destination_code]"] == ["737"]
    before = {f: getattr(profiled, f) for f in ("name", "phone", "messaging_profile_id",
                                                "timezone", "city")}

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(_order_url(profiled), {"phone_number": "+17375550001"})
    assert answer.status_code == 302
    order = NumberOrder.objects.get()
    assert order.location == profiled and order.requested_by == owner
    assert order.state == OrderState.PENDING and order.provider_order_id  # placed, waiting
    assert fake_telnyx.orders[order.provider_order_id].messaging_profile_id == \
        "40017a2b-profile-northside"
    profiled.refresh_from_db()
    assert profiled.sms_number == ""  # not before the order completes

    order = _poll_until_settled()
    assert order.state == OrderState.SUCCESS and order.completed_at
    assert fake_telnyx.orders[order.provider_order_id].polls == 2  # pending once, then done
    profiled.refresh_from_db()
    assert profiled.sms_number == "+17375550001"
    assert {f: getattr(profiled, f) for f in before} == before
    assert b"Active" in client.get(_page(profiled)).content


def test_search_by_city_and_state(fake_telnyx, profiled, owner, client):
    client.force_login(owner)
    page = client.get(_page(profiled), {"city": "Round Rock", "region": "TX"})
    assert page.status_code == 200 and b"Round Rock" in page.content
    assert fake_telnyx.searches[0]["filter[locality]"] == ["Round Rock"]
    assert fake_telnyx.searches[0]["filter[administrative_area]"] == ["TX"]


def test_a_search_needs_an_area_code_of_three_digits(fake_telnyx, profiled, owner, client):
    client.force_login(owner)
    page = client.get(_page(profiled), {"area_code": "12"})
    assert page.status_code == 400 and b"three digits" in page.content
    assert fake_telnyx.searches == []


def test_a_failed_order_says_so_and_keeps_the_old_number(fake_telnyx, profiled, owner, client,
                                                         django_capture_on_commit_callbacks):
    profiled.sms_number = "+15125550199"
    profiled.save(update_fields=["sms_number"])
    fake_telnyx.order_fails = True
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_order_url(profiled), {"phone_number": "+17375550001"})
    order = _poll_until_settled()
    assert order.state == OrderState.FAILED and "another number" in order.last_error
    profiled.refresh_from_db()
    assert profiled.sms_number == "+15125550199"


def test_ordering_with_telnyx_needs_the_messaging_profile(fake_telnyx, location, owner, client):
    client.force_login(owner)
    answer = client.post(_order_url(location), {"phone_number": "+17375550001"}, follow=True)
    assert b"messaging profile id first" in answer.content
    assert not NumberOrder.objects.exists()


def test_simulated_numbers_are_labelled_and_order_at_once(location, owner, client,
                                                          django_capture_on_commit_callbacks):
    client.force_login(owner)
    page = client.get(_page(location), {"area_code": "512"})
    assert b"simulated" in page.content and b"+15125550101" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_order_url(location), {"phone_number": "+15125550101"})
    assert NumberOrder.objects.get().state == OrderState.SUCCESS
    location.refresh_from_db()
    assert location.sms_number == "+15125550101"


def test_owner_enters_the_shops_own_number_and_profile(location, owner, client):
    client.force_login(owner)
    answer = client.post(_page(location), {"sms_number": "(512) 555-0177",
                                           "messaging_profile_id": "abc-123"})
    assert answer.status_code == 302
    location.refresh_from_db()
    assert location.sms_number == "+15125550177"
    assert location.messaging_profile_id == "abc-123"


@pytest.mark.parametrize(("data", "error"), [
    ({"sms_number": "555", "messaging_profile_id": ""}, b"not a valid phone number"),
    ({"sms_number": "(512) 555-0177", "messaging_profile_id": "no spaces!"},
     b"letters, digits and dashes"),
])
def test_bad_own_number_or_profile_is_refused(location, owner, client, data, error):
    client.force_login(owner)
    answer = client.post(_page(location), data)
    assert answer.status_code == 400 and error in answer.content
    location.refresh_from_db()
    assert location.sms_number == ""


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FRONT_DESK, Role.PRODUCTION,
                                  Role.TECHNICIAN])
def test_only_owners_manage_the_number(workspace, location, client, role,
                                       django_capture_on_commit_callbacks):
    client.force_login(make_staff(workspace, role, [location]))
    assert client.get(_page(location)).status_code == 403
    assert client.post(_page(location), {"sms_number": "(512) 555-0177"}).status_code == 403
    assert client.post(_order_url(location), {"phone_number": "+15125550101"}).status_code == 403
    assert not NumberOrder.objects.exists()
    location.refresh_from_db()
    assert location.sms_number == ""


def test_the_tab_shows_for_owners_only(location, owner, client, workspace):
    client.force_login(owner)
    assert b"Texting number" in client.get(reverse("backoffice:settings_location")).content
    client.force_login(make_staff(workspace, Role.MANAGER, [location]))
    assert b"Texting number" not in client.get(reverse("backoffice:settings_location")).content


def test_another_shops_location_and_orders_are_404(location, owner, other_location, outsider,
                                                   client, django_capture_on_commit_callbacks):
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_order_url(other_location), {"phone_number": "+15125550101"})
    theirs = NumberOrder.objects.get(location=other_location)
    client.force_login(owner)
    assert client.get(_page(other_location)).status_code == 404
    assert client.post(_page(other_location), {"sms_number": "(512) 555-0177"}).status_code == 404
    assert client.post(_order_url(other_location),
                       {"phone_number": "+15125550102"}).status_code == 404
    check = reverse("backoffice:number_order_check", args=[theirs.pk])
    assert client.post(check).status_code == 404
    assert NumberOrder.objects.count() == 1


def test_check_now_polls_a_pending_order(fake_telnyx, profiled, owner, client,
                                         django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_order_url(profiled), {"phone_number": "+17375550001"})
    order = NumberOrder.objects.get()
    assert order.state == OrderState.PENDING and order.due_at
    check = reverse("backoffice:number_order_check", args=[order.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(check).status_code == 302
    order.refresh_from_db()
    assert fake_telnyx.orders[order.provider_order_id].polls == 1


def test_simulated_city_search_offers_numbers_that_can_be_ordered(
        location, owner, client, django_capture_on_commit_callbacks):
    client.force_login(owner)
    page = client.get(_page(location), {"city": "Austin"})
    assert b"+15125550101" in page.content  # the shop's own area code (512)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_order_url(location), {"phone_number": "+15125550101"})
    assert NumberOrder.objects.get().state == OrderState.SUCCESS
