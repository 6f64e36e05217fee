"""Back-office fixtures on top of the shared personas: a second shop in the same workspace."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_claim, make_location


@pytest.fixture
def southside(workspace):
    """Another location of our workspace; front_desk (Northside only) must not see it."""
    return make_location(workspace, slug="southside", name="Southside Collision")


@pytest.fixture
def south_claim(southside, owner):
    return make_claim(southside, actor=owner, name="Sam Southside", ro_number="RO-SOUTH")


def _signed_in(user) -> Client:
    # A client of its own per persona, so one test can hold several sessions at once.
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk_client(front_desk):
    return _signed_in(front_desk)


@pytest.fixture
def owner_client(owner):
    return _signed_in(owner)


@pytest.fixture
def outsider_client(outsider):
    return _signed_in(outsider)
