"""The public page's review and social links: shown when set, opened in a new tab, and only
http(s) addresses accepted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from claimory.shops.services import location_update

pytestmark = pytest.mark.django_db


def _page(location, **query) -> str:
    return Client().get(reverse("public:shop", args=[location.slug]), query).content.decode()


def test_links_show_when_set(location):
    assert "Find us online" not in _page(location)
    location_update(location=location, changes={
        "review_url": "https://g.page/r/northside/review",
        "instagram_url": "https://instagram.com/northside"})
    html = _page(location)
    assert 'href="https://g.page/r/northside/review"' in html
    assert 'href="https://instagram.com/northside"' in html and ">Instagram<" in html
    assert "Facebook" not in html
    assert "Encuéntrenos en línea" in _page(location, lang="es")


@pytest.mark.parametrize("field", ["website_url", "facebook_url", "instagram_url"])
def test_only_web_addresses_are_accepted(location, field):
    with pytest.raises(ValidationError):
        location_update(location=location, changes={field: "javascript:alert(1)"})
    location.refresh_from_db()
    assert getattr(location, field) == ""
