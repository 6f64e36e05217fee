"""Groups: one workspace, several locations. Staff see only their locations; the top bar's
picker remembers where a teammate works and every page follows it; the group's co-brand on
the portal and public page on Enterprise."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from claimory.claims.services.portal_links import portal_token
from claimory.shops.models import Plan, Role
from tests.factories import make_claim, make_location, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def south(workspace):
    return make_location(workspace, slug="southside", name="Southside Collision")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_group_staff_see_only_their_locations(workspace, location, south, front_desk):
    north_claim = make_claim(location, name="North Customer")
    south_claim = make_claim(south, name="South Customer")
    south_desk = make_staff(workspace, Role.FRONT_DESK, email="desk@south.test",
                            locations=[south])
    client = _client(south_desk)
    listing = client.get(reverse("backoffice:claims")).content.decode()
    assert "South Customer" in listing and "North Customer" not in listing
    assert client.get(reverse("backoffice:claim", args=[north_claim.pk])).status_code == 404
    assert client.get(reverse("backoffice:claim", args=[south_claim.pk])).status_code == 200
    assert client.get(reverse("backoffice:board"), {"location": location.slug}
                      ).status_code == 404
    assert client.post(reverse("backoffice:location_switch"),
                       {"location": location.slug}).status_code == 404
    # One location only: no picker in the top bar.
    assert 'id="switcher-location-bar"' not in listing


def test_the_picker_is_remembered_by_every_page(workspace, location, south, owner):
    make_claim(location, name="North Customer")
    make_claim(south, name="South Customer")
    client = _client(owner)
    page = client.get(reverse("backoffice:claims")).content.decode()
    assert 'id="switcher-location-bar"' in page
    assert "North Customer" in page and "South Customer" in page
    answer = client.post(reverse("backoffice:location_switch"),
                         {"location": south.slug, "next": "/staff/board?location=northside"})
    assert answer.status_code == 302 and answer["Location"] == "/staff/board?location=southside"
    listing = client.get(reverse("backoffice:claims")).content.decode()
    assert "South Customer" in listing and "North Customer" not in listing
    board = client.get(reverse("backoffice:board")).content.decode()
    assert "Southside Collision" in board
    new = client.get(reverse("backoffice:claim_new")).content.decode()
    assert 'value="southside" selected' in new
    settings_page = client.get(reverse("backoffice:settings_location")).content.decode()
    assert "Settings <span class=\"muted\">· Southside Collision" in settings_page
    # All locations again.
    client.post(reverse("backoffice:location_switch"), {"location": ""})
    listing = client.get(reverse("backoffice:claims")).content.decode()
    assert "North Customer" in listing and "South Customer" in listing


def test_the_picker_never_sends_you_off_site(workspace, location, south, owner):
    answer = _client(owner).post(reverse("backoffice:location_switch"),
                                 {"location": south.slug, "next": "https://evil.example/"})
    assert answer["Location"] == reverse("backoffice:claims")


def test_enterprise_co_brands_the_portal_and_public_page(workspace, location):
    workspace.name = "Lone Star Collision Group"
    workspace.plan = Plan.ENTERPRISE
    workspace.save()
    claim = make_claim(location)
    portal = Client().get(f"/c/{portal_token(claim)}").content.decode()
    assert "Part of Lone Star Collision Group" in portal
    public = Client().get(reverse("public:shop", args=[location.slug])).content.decode()
    assert "Part of Lone Star Collision Group" in public
    workspace.plan = Plan.ELITE
    workspace.save()
    portal = Client().get(f"/c/{portal_token(claim)}").content.decode()
    assert "Part of" not in portal
