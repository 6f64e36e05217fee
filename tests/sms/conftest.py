"""Texting fixtures: a fake Telnyx on loopback, and settings that point Claimory at it."""

from __future__ import annotations

import pytest

from tests.sms.fake_telnyx import FakeTelnyx


@pytest.fixture
def fake_telnyx_server():
    """The fake Telnyx alone (a worker subprocess gets its address in its environment)."""
    fake = FakeTelnyx().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_telnyx(fake_telnyx_server, settings):
    """The fake Telnyx, with TELNYX_API_KEY / _API_BASE / _PUBLIC_KEY set to it: the outbox
    sends through sms/telnyx.py and the webhook verifies the fake's signatures."""
    settings.TELNYX_API_KEY = fake_telnyx_server.api_key
    settings.TELNYX_API_BASE = fake_telnyx_server.base_url
    settings.TELNYX_PUBLIC_KEY = fake_telnyx_server.public_key_b64
    return fake_telnyx_server
