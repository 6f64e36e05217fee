"""Changing the public page's address: the old one redirects for good, stays reserved, and
can be taken back; bad or taken addresses are refused with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from claimory.shops.models import SlugAlias
from claimory.shops.services import location_create
from claimory.shops.slugs import location_slug_change

pytestmark = pytest.mark.django_db


def test_the_old_address_redirects_permanently_with_its_query(location):
    location_slug_change(location=location, slug="northside-auto")
    answer = Client().get("/p/northside", {"lang": "es"})
    assert answer.status_code == 301
    assert answer["Location"] == "/p/northside-auto?lang=es"
    assert Client().get("/p/northside-auto").status_code == 200


def test_old_addresses_stay_reserved_but_can_be_taken_back(location, other_location):
    location_slug_change(location=location, slug="northside-auto")
    with pytest.raises(ValidationError, match="Another shop"):
        location_slug_change(location=other_location, slug="northside")
    with pytest.raises(ValidationError, match="Another shop"):
        location_create(workspace=other_location.workspace, slug="northside", name="Copy")
    location_slug_change(location=location, slug="northside")
    assert Client().get("/p/northside").status_code == 200
    assert list(SlugAlias.objects.values_list("slug", flat=True)) == ["northside-auto"]
    assert Client().get("/p/northside-auto").status_code == 301


@pytest.mark.parametrize("slug,why", [
    ("", "lowercase"), ("Has Spaces", "lowercase"), ("-dash", "lowercase"),
    ("x" * 51, "lowercase"), ("staff", "reserved"),
])
def test_bad_addresses_are_refused(location, slug, why):
    with pytest.raises(ValidationError, match=why):
        location_slug_change(location=location, slug=slug)
    location.refresh_from_db()
    assert location.slug == "northside" and not SlugAlias.objects.exists()


def test_another_shops_current_address_is_refused(location, other_location):
    with pytest.raises(ValidationError, match="Another shop"):
        location_slug_change(location=location, slug=other_location.slug)


def test_staff_change_it_from_settings_and_see_why_when_refused(location, owner,
                                                                 other_location):
    client = Client()
    client.force_login(owner)
    url = reverse("backoffice:settings_public_address", args=[location.slug])
    answer = client.post(url, {"slug": other_location.slug}, follow=True)
    assert "Another shop uses that address" in answer.content.decode()
    answer = client.post(url, {"slug": "northside-auto"}, follow=True)
    assert "Your page is now at /p/northside-auto" in answer.content.decode()
    # Another workspace's location is not found at all.
    assert client.post(reverse("backoffice:settings_public_address",
                               args=[other_location.slug]),
                       {"slug": "mine-now"}).status_code == 404
