"""The portal's and the public page's "Message us" link: the location's texting number,
shown formatted, or no link at all; the cached portal page follows a changed number."""

from __future__ import annotations

import pytest

from claimory.claims.services import portal_token
from claimory.portal.page_cache import pages
from claimory.shops.services import location_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_page_cache():
    pages.clear()
    yield
    pages.clear()


def message_us(html: str) -> str | None:
    import re

    match = re.search(r'<a class="btn btn-secondary" href="sms:([^"]*)">(.*?)</a>', html, re.S)
    return match and f"{match.group(1)} {re.sub(r'<[^>]+>', '', match.group(2)).strip()}"


def test_portal_links_to_the_texting_number_formatted(client, claim, location):
    html = client.get(f"/c/{portal_token(claim)}").content.decode()
    assert message_us(html) == "+15125550199 Message us (512) 555-0199"


def test_public_page_links_to_the_texting_number_formatted(client, location):
    html = client.get(f"/p/{location.slug}").content.decode()
    assert message_us(html) == "+15125550199 Message us (512) 555-0199"


def test_no_texting_number_no_link(client, claim, location):
    location.sms_number = ""
    location.save()
    for path in (f"/c/{portal_token(claim)}", f"/p/{location.slug}"):
        html = client.get(path).content.decode()
        assert message_us(html) is None and "sms:" not in html
        assert 'href="tel:+15125550100"' in html  # calling still works


def test_cached_portal_page_follows_a_new_texting_number(client, claim, location, owner):
    path = f"/c/{portal_token(claim)}"
    assert "sms:+15125550199" in client.get(path).content.decode()
    assert len(pages) == 1
    location_update(location=location, changes={"sms_number": "(512) 555-0123"}, actor=owner)
    assert message_us(client.get(path).content.decode()) == \
        "+15125550123 Message us (512) 555-0123"
    location_update(location=location, changes={"sms_number": ""}, actor=owner)
    assert "sms:" not in client.get(path).content.decode()


def test_cached_portal_page_follows_a_number_set_on_the_texting_page(client, claim, location,
                                                                      owner):
    from claimory.sms.numbers import texting_number_set

    path = f"/c/{portal_token(claim)}"
    assert "sms:+15125550199" in client.get(path).content.decode()
    texting_number_set(location=location, sms_number="+15125550188", messaging_profile_id="",
                       actor=owner)
    assert "sms:+15125550188" in client.get(path).content.decode()
