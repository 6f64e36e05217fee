"""Drafts fixtures: a fake model endpoint, and settings that point the drafter at it."""

from __future__ import annotations

import pytest

from tests.backoffice.conftest import desk_client, outsider_client  # noqa: F401
from tests.drafts.fake_llm import FakeLLM


@pytest.fixture
def fake_llm():
    fake = FakeLLM().start()
    yield fake
    fake.stop()


@pytest.fixture
def llm_settings(settings, fake_llm):
    settings.LLM_BASE_URL = fake_llm.base_url
    settings.LLM_API_KEY = "test-key"
    settings.LLM_MODEL = "fake-model"
    return fake_llm
