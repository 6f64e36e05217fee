"""notify(): the rule, the approved template in the customer's language, one automated
message and one queued text; otherwise nothing, and the timeline says why."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from claimory.claims.models import EventType
from claimory.claims.services import claim_stage_set
from claimory.core import durable
from claimory.messaging.models import Delivery, DeliveryState, Message
from claimory.messaging.services import message_send
from claimory.notifications.models import MessageTemplate, NotificationRule, Trigger
from claimory.notifications.services import (
    notify_document,
    notify_photos,
    rules_set,
    template_save,
)
from claimory.printables.qr import portal_url
from claimory.sms.simulator import phone_received
from tests.factories import make_claim

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def automated(claim):
    return list(Message.objects.filter(claim=claim, automated=True).order_by("id"))


def notification_events(claim):
    return list(claim.events.filter(type=EventType.NOTIFICATION).order_by("seq"))


def test_stage_change_queues_one_text_in_the_customers_language(approved, front_desk):
    claim = make_claim(approved, name="Lucía Gómez", language="es")
    before = len(automated(claim))  # the "received" text
    claim_stage_set(claim=claim, stage="estimate", actor=front_desk)
    messages = automated(claim)
    assert len(messages) == before + 1
    message = messages[-1]
    expected = (f"Northside Collision: su 2019 Honda Accord está en la etapa Presupuesto. "
                f"Detalles: {portal_url(claim)}")
    assert message.body == expected
    assert message.channel == "sms" and message.direction == "out"
    assert message.sender_label == "Northside Collision"
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == DeliveryState.QUEUED and delivery.automated
    assert delivery.body == expected  # not the first text: no opt-out line
    assert delivery.to == claim.customer.phone and delivery.sender == "+15125550199"
    event = notification_events(claim)[-1]
    assert not event.customer_visible
    assert event.data == {"message_id": message.pk, "trigger": "stage:estimate",
                          "template": "stage_changed/es", "body": expected,
                          "channels": ["sms"]}
    assert message.event_id == event.pk


def test_first_text_to_a_number_says_how_to_opt_out(approved, front_desk):
    claim = make_claim(approved, name="Maria Lopez", phone="(512) 555-0177")
    message = automated(claim)[0]
    assert message.body.startswith("Hi Maria, Northside Collision has your 2019 Honda Accord.")
    assert Delivery.objects.get(message=message).body.endswith("\nReply STOP to opt out.")


def test_the_text_reaches_the_phone_after_commit(approved, front_desk,
                                                 django_capture_on_commit_callbacks):
    claim = make_claim(approved)
    with django_capture_on_commit_callbacks(execute=True):
        claim_stage_set(claim=claim, stage="teardown", actor=front_desk)
    received = [d.body for d in phone_received(approved, claim.customer.phone)]
    assert any("is now at Teardown" in body for body in received)


def test_unapproved_template_sends_nothing_and_the_timeline_says_why(location, front_desk):
    claim = make_claim(location)
    claim_stage_set(claim=claim, stage="estimate", actor=front_desk)
    assert automated(claim) == []
    assert not Delivery.objects.filter(claim=claim).exists()
    event = notification_events(claim)[-1]
    assert event.data["trigger"] == "stage:estimate"
    assert "not approved" in event.data["reason"]
    assert "message_id" not in event.data


def test_editing_an_approved_template_stops_it_until_approved_again(approved, owner,
                                                                   front_desk):
    template = MessageTemplate.objects.get(location=approved, key="stage_changed",
                                           language="en")
    template_save(template=template, body="{shop_name}: now {stage}. {portal_link}", actor=owner)
    assert not template.approved
    claim = make_claim(approved)
    claim_stage_set(claim=claim, stage="estimate", actor=front_desk)
    assert [m.body for m in automated(claim) if "now Estimate" in m.body] == []
    template_save(template=template, body=template.body, actor=owner, approve=True)
    claim_stage_set(claim=claim, stage="teardown", actor=front_desk)
    assert automated(claim)[-1].body == f"Northside Collision: now Teardown. {portal_url(claim)}"


def test_disabled_rule_sends_nothing_and_writes_nothing(approved, owner, front_desk):
    rules_set(location=approved, enabled={"stage:estimate": False}, actor=owner)
    claim = make_claim(approved)
    events_before = claim.events.count()
    claim_stage_set(claim=claim, stage="estimate", actor=front_desk)
    assert [m for m in automated(claim) if "Estimate" in m.body] == []
    assert claim.events.count() == events_before + 1  # the stage move only


def test_customer_without_consent_gets_nothing(approved, front_desk):
    claim = make_claim(approved)
    claim.customer.sms_opt_in = False
    claim.customer.save()
    claim_stage_set(claim=claim, stage="estimate", actor=front_desk)
    assert [m for m in automated(claim) if "Estimate" in m.body] == []


def test_ready_for_pickup_is_the_stage_before_delivery(approved, front_desk):
    claim = make_claim(approved)
    claim_stage_set(claim=claim, stage="completed", actor=front_desk)
    event = notification_events(claim)[-1]
    assert event.data["trigger"] == Trigger.READY
    assert event.data["template"] == "ready_for_pickup/en"
    assert "is ready for pickup" in event.data["body"]
    claim_stage_set(claim=claim, stage="delivered", actor=front_desk)
    assert notification_events(claim)[-1].data["template"] == "delivered/en"


def test_supplement_approved_has_its_own_template(approved, front_desk):
    claim = make_claim(approved)
    claim_stage_set(claim=claim, stage="supp_appr", actor=front_desk)
    body = notification_events(claim)[-1].data["body"]
    assert "the insurer approved the extra repairs" in body
    assert claim.eta.strftime("%B") in body


def test_photos_are_batched_to_one_text_per_two_hours(approved):
    claim = make_claim(approved)
    assert notify_photos(claim, 5) is not None
    assert notify_photos(claim, 3) is None
    later = timezone.now() + dt.timedelta(hours=2, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert notify_photos(claim, 1) is not None
    assert len([m for m in automated(claim) if "new photos" in m.body]) == 2


def test_document_to_sign(approved):
    claim = make_claim(approved)
    with transaction.atomic():
        message = notify_document(claim, "Repair authorization")
    assert "ready to sign" in message.body


def test_staff_replies_are_texted_unless_the_rule_is_off(approved, owner, front_desk):
    claim = make_claim(approved)
    texted = message_send(claim=claim, body="See you Friday.", actor=front_desk)
    assert Delivery.objects.filter(message=texted).count() == 1
    rules_set(location=approved, enabled={Trigger.SHOP_MESSAGE: False}, actor=owner)
    portal_only = message_send(claim=claim, body="Thanks!", actor=front_desk)
    assert not Delivery.objects.filter(message=portal_only).exists()
    assert NotificationRule.objects.get(location=approved, trigger="shop_message").enabled is False


def test_quiet_hours_hold_a_stage_text_until_morning_in_the_shops_time_zone(
        approved, front_desk, django_capture_on_commit_callbacks):
    approved.sms_quiet_start, approved.sms_quiet_end = dt.time(21, 0), dt.time(8, 0)
    approved.save()
    # Opened at noon, so its own "claim opened" text is not held (whatever the real clock).
    with mock.patch("django.utils.timezone.now",
                    return_value=dt.datetime(2026, 3, 10, 12, 0, tzinfo=CHICAGO)):
        claim = make_claim(approved)
    night = dt.datetime(2026, 3, 10, 22, 30, tzinfo=CHICAGO)  # 03:30 UTC on the 11th
    with mock.patch("django.utils.timezone.now", return_value=night):
        with django_capture_on_commit_callbacks(execute=True):
            claim_stage_set(claim=claim, stage="teardown", actor=front_desk)
        message = automated(claim)[-1]
        delivery = Delivery.objects.get(message=message)
        morning = dt.datetime(2026, 3, 11, 8, 0, tzinfo=CHICAGO)
        assert delivery.due_at == morning
        assert delivery.state == DeliveryState.QUEUED
        held = claim.events.filter(type=EventType.DELIVERY, data__state="held").get()
        assert held.data["until"] == morning.isoformat()
        durable.run_due()
    with mock.patch("django.utils.timezone.now", return_value=morning - dt.timedelta(minutes=1)):
        durable.run_due()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.QUEUED
    with mock.patch("django.utils.timezone.now", return_value=morning + dt.timedelta(minutes=1)):
        durable.run_due()
    delivery.refresh_from_db()
    assert delivery.state in (DeliveryState.SENT, DeliveryState.DELIVERED)
