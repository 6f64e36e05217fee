"""Claims the printables need beyond the shared personas: Spanish, revoked link, long names."""

from __future__ import annotations

import pytest

from claimory.claims.services import portal_token_revoke
from tests.factories import make_claim


@pytest.fixture
def spanish_claim(location, front_desk):
    return make_claim(location, actor=front_desk, name="María José Núñez", language="es",
                      ro_number="RO-24118")


@pytest.fixture
def revoked_claim(location, front_desk):
    claim = make_claim(location, actor=front_desk, name="Sam Revoked")
    portal_token_revoke(claim=claim, actor=front_desk)
    return claim


@pytest.fixture
def desk_client(client, front_desk):
    client.force_login(front_desk)
    return client
