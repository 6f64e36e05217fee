"""The demo's templates are approved, its seeded history texted nobody, and a live stage
move texts the simulated phone."""

import datetime as dt

import pytest

from claimory import demo
from claimory.claims.models import ClaimEvent, EventType
from claimory.claims.services import claim_stage_set
from claimory.messaging.models import Delivery
from claimory.notifications.models import MessageTemplate, NotificationRule, TemplateKey

pytestmark = pytest.mark.django_db


def test_demo_texts_live_changes_only(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"  # seeding stores its photos' files
    seeded = demo.seed()
    location = seeded.location
    assert MessageTemplate.objects.filter(location=location).count() == \
        len(TemplateKey.values) * 2  # every template in English and Spanish
    assert not MessageTemplate.objects.filter(location=location, approved_at=None).exists()
    assert not NotificationRule.objects.filter(location=location).exists()  # defaults: all on
    assert not ClaimEvent.objects.filter(claim__location=location,
                                         type=EventType.NOTIFICATION).exists()
    assert not Delivery.objects.filter(location=location).exists()
    location.sms_quiet_start = location.sms_quiet_end = dt.time(0, 0)
    location.save()
    claim = location.claims.filter(stage__slug="teardown").first()
    claim_stage_set(claim=claim, stage="supp_sent")
    delivery = Delivery.objects.get(claim=claim)
    claim.refresh_from_db()
    assert delivery.automated
    assert claim.stage.display_name(claim.customer.language) in delivery.body
