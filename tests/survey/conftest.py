"""Survey fixtures: a texting location with approved templates and no quiet hours, a review
link, and helpers to deliver a claim and answer its survey on the portal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from claimory.claims.services import claim_stage_set, portal_token
from claimory.notifications.services import templates_approve_all
from claimory.portal.page_cache import pages

REVIEW_URL = "https://g.page/r/northside-collision/review"


@pytest.fixture(autouse=True)
def fresh_caches():
    cache.clear()
    pages.clear()
    yield
    cache.clear()
    pages.clear()


@pytest.fixture
def location(location):
    location.sms_number = "+15125550199"
    location.sms_quiet_start = location.sms_quiet_end = dt.time(0, 0)
    location.review_url = REVIEW_URL
    location.save()
    templates_approve_all(location=location)
    return location


@pytest.fixture
def delivered(claim, front_desk):
    """Our claim, just delivered (its survey scheduled)."""
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def portal_path(claim):
    return f"/c/{portal_token(claim)}"


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client
