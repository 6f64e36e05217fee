"""Personas shared by every test: a shop with owner, front desk, technician, a customer's
claim — and another shop whose staff must never see ours."""

from __future__ import annotations

import socket

import pytest

from claimory.shops.models import Role
from tests.factories import make_claim, make_location, make_staff, make_workspace

_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (
        host.startswith("127.") or host in ("localhost", "::1", "0.0.0.0") or host.startswith("/")
    ):
        raise RuntimeError(f"Tests must not reach the network (tried {address!r})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def no_network():
    """Only loopback: every provider is tested against a local fake."""
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


@pytest.fixture
def workspace(db):
    return make_workspace()


@pytest.fixture
def location(workspace):
    return make_location(workspace, slug="northside", name="Northside Collision")


@pytest.fixture
def owner(workspace, location):
    return make_staff(workspace, Role.OWNER, email="owner@northside.test", first_name="Olivia")


@pytest.fixture
def front_desk(workspace, location):
    return make_staff(workspace, Role.FRONT_DESK, [location], email="desk@northside.test",
                      first_name="Frank")


@pytest.fixture
def technician(workspace, location):
    return make_staff(workspace, Role.TECHNICIAN, [location], email="tech@northside.test",
                      first_name="Tomas")


@pytest.fixture
def production(workspace, location):
    """Runs the floor: moves cars, sets ETAs, answers customers; no money, no portal links."""
    return make_staff(workspace, Role.PRODUCTION, [location], email="prod@northside.test",
                      first_name="Pat")


@pytest.fixture
def texting(location):
    """Our location with its texting number (the simulator texts from it; Telnyx in tests
    that point TELNYX_* at the fake)."""
    location.sms_number = "+15125550199"
    location.save(update_fields=["sms_number"])
    return location


@pytest.fixture
def claim(location, front_desk):
    return make_claim(location, actor=front_desk)


@pytest.fixture
def other_location(db):
    return make_location(make_workspace("Elsewhere Auto Body"), slug="elsewhere",
                         name="Elsewhere Auto Body")


@pytest.fixture
def outsider(other_location):
    """Staff of another shop: every one of our claim ids must be a 404 for them."""
    return make_staff(other_location.workspace, Role.OWNER, email="boss@elsewhere.test",
                      first_name="Oscar")


@pytest.fixture
def other_claim(other_location, outsider):
    return make_claim(other_location, actor=outsider, name="Someone Else")


def pytest_collection_modifyitems(config, items):
    """Browser tests run last in every worker: Playwright's sync API leaves an event loop
    running in the thread, which would trip the asyncio tests that came after it."""
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath))
