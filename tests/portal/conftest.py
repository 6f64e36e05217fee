"""Portal test helpers: a fresh rate-limit window and page cache per test, the portal path."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from claimory.claims.services import portal_token
from claimory.portal.page_cache import pages


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    # The 404 counter lives in the cache; one test's misses must not block the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_page_cache():
    # Rendered pages are kept per process; each test starts without any.
    pages.clear()
    yield
    pages.clear()


@pytest.fixture
def portal_path(claim):
    return f"/c/{portal_token(claim)}"
