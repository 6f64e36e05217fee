"""Portal test helpers: a fresh rate-limit window per test and the claim's live portal path."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from claimory.claims.services import portal_token


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    # The 404 counter lives in the cache; one test's misses must not block the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal_path(claim):
    return f"/c/{portal_token(claim)}"
