"""Notification fixtures: a location with a texting number, and no quiet hours unless a test
sets them (so whether a text goes out never depends on the hour the suite runs)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from claimory.notifications.services import templates_approve_all


@pytest.fixture
def location(location):
    location.sms_number = "+15125550199"
    location.sms_quiet_start = location.sms_quiet_end = dt.time(0, 0)
    location.save()
    return location


@pytest.fixture
def approved(location):
    """Every default template approved (as the demo does)."""
    templates_approve_all(location=location)
    return location


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def desk_client(front_desk):
    client = Client()
    client.force_login(front_desk)
    return client


@pytest.fixture
def outsider_client(outsider):
    client = Client()
    client.force_login(outsider)
    return client
