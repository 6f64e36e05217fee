"""Appointment test helpers: fresh rate-limit windows and portal page cache per test."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from claimory.portal.page_cache import pages


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    cache.clear()
    pages.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()
    pages.clear()
