"""`claimory demo` seeds a believable shop, idempotently, and prints how to get in."""

from io import StringIO

import pytest
from django.core.management import call_command

from claimory import demo
from claimory.claims.models import Claim
from claimory.claims.selectors import claim_get_for_token
from claimory.claims.vin import validate_vin
from claimory.messaging.models import Conversation, Message
from claimory.shops.models import Stage
from claimory.shops.services import apikey_authenticate


@pytest.mark.django_db
def test_seed_covers_every_stage_and_is_idempotent(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    first = demo.seed()
    again = demo.seed()
    claims = Claim.objects.filter(location=first.location)
    assert claims.count() == len(demo.CLAIMS) == 12
    stage_slugs = set(Stage.objects.filter(location=first.location).values_list("slug", flat=True))
    assert set(claims.values_list("stage__slug", flat=True)) == stage_slugs
    for vin in claims.values_list("vehicle__vin", flat=True):
        validate_vin(vin)
    assert again.api_key == first.api_key
    assert Message.objects.filter(claim__location=first.location).count() == sum(
        len(lines) for lines in demo.THREADS.values())
    assert Conversation.objects.filter(waiting_since__isnull=False).count() == 3
    assert apikey_authenticate(first.api_key).location == first.location


@pytest.mark.django_db
def test_demo_command_prints_login_portal_qr_and_api_key(tmp_path, settings, monkeypatch):
    settings.DATA_DIR = tmp_path
    settings.BASE_URL = "http://demo.test:8000"
    monkeypatch.setenv("CLAIMORY_BASE_URL", "http://demo.test:8000")
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    assert "owner@northside.demo" in text and demo.DEMO_PASSWORD in text
    portal_line = next(line for line in text.splitlines() if "/c/" in line)
    token = portal_line.strip().rsplit("/c/", 1)[1]
    assert claim_get_for_token(token) is not None
    assert "█" in text  # the QR drawn in the terminal
    key_line = next(line for line in text.splitlines() if line.startswith("API key: "))
    assert apikey_authenticate(key_line.removeprefix("API key: ").strip()) is not None
