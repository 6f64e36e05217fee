"""The SMS outbox with the simulator provider: who gets a text, what it says, how it moves."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from claimory.core import durable
from claimory.messaging.models import Delivery, DeliveryState
from claimory.messaging.services import message_send
from claimory.sms import events, simulator
from claimory.sms.consent import consent_record
from claimory.sms.models import ProviderEvent
from claimory.sms.quiet_hours import quiet_until
from tests.factories import make_claim


def _receipts_now() -> int:
    """Receipts that arrived while the send was finishing wait a moment: make them due."""
    ProviderEvent.objects.update(due_at=None, lease_until=None)
    return durable.run_due()


def _send(claim, actor, body, capture):
    with capture(execute=True):
        return message_send(claim=claim, body=body, actor=actor)


def test_staff_reply_is_texted_to_an_opted_in_customer(texting, claim, front_desk,
                                                       django_capture_on_commit_callbacks):
    message = _send(claim, front_desk, "Your car is ready at 3 pm.",
                    django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(message=message)
    assert delivery.sent_at is not None
    assert delivery.to == claim.customer.phone and delivery.sender == "+15125550199"
    assert delivery.body.startswith("Northside Collision: Your car is ready at 3 pm.")
    assert delivery.body.endswith("Reply STOP to opt out.")  # the first text to this number
    assert delivery.provider_id.startswith("sim-")
    _receipts_now()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.finished_at
    states = [e.data["state"] for e in claim.events.filter(type="delivery").order_by("seq")]
    assert states == ["sent", "delivered"]
    assert list(simulator.phone_received(texting, claim.customer.phone)) == [delivery]


def test_only_the_first_text_to_a_number_carries_the_opt_out_line(
        texting, claim, front_desk, django_capture_on_commit_callbacks):
    _send(claim, front_desk, "One", django_capture_on_commit_callbacks)
    second = _send(claim, front_desk, "Two", django_capture_on_commit_callbacks)
    assert Delivery.objects.get(message=second).body == "Northside Collision: Two"


def test_no_text_without_consent_or_number(location, texting, front_desk,
                                           django_capture_on_commit_callbacks):
    claim = make_claim(location, actor=front_desk, phone="(512) 555-0177")
    claim.customer.sms_opt_in = False
    claim.customer.save()
    _send(claim, front_desk, "Portal only", django_capture_on_commit_callbacks)
    assert not Delivery.objects.filter(claim=claim).exists()


def test_a_location_without_a_number_says_why(location, claim, front_desk,
                                              django_capture_on_commit_callbacks):
    message = _send(claim, front_desk, "Hello", django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == DeliveryState.NOT_SENT
    assert "no texting number" in delivery.error_detail
    assert claim.events.filter(type="delivery", data__state="not_sent").exists()


def test_an_opt_out_while_queued_stops_the_send(texting, claim, front_desk):
    message = message_send(claim=claim, body="Queued, not yet sent", actor=front_desk)
    consent_record(location=texting, phone=claim.customer.phone, status="out",
                   method="keyword", evidence="STOP", claim=claim)
    durable.run_due()
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == DeliveryState.NOT_SENT
    assert "STOP" in delivery.error_detail


def test_sending_twice_sends_once(texting, claim, front_desk, monkeypatch):
    sent = []
    real_accept = simulator.accept
    monkeypatch.setattr(simulator, "accept", lambda text: sent.append(text) or real_accept(text))
    message = message_send(claim=claim, body="Once", actor=front_desk)
    delivery = Delivery.objects.get(message=message)
    assert durable.run_work.call("messaging.delivery", delivery.pk) == "ran"
    assert durable.run_work.call("messaging.delivery", delivery.pk) == "skipped"
    assert len(sent) == 1


def test_late_receipts_never_roll_a_delivery_back(texting, claim, front_desk,
                                                  django_capture_on_commit_callbacks):
    message = _send(claim, front_desk, "Hi", django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(message=message)
    _receipts_now()
    now = timezone.now()

    def receipt(status: str, at: dt.datetime, event_id: str) -> str:
        return json.dumps({"data": {"id": event_id, "event_type": "message.sent",
                                    "occurred_at": at.isoformat(), "payload": {
                                        "id": delivery.provider_id,
                                        "to": [{"phone_number": delivery.to,
                                                "status": status}]}}})

    # "sent" stamped before the delivery receipt, arriving after it: ignored.
    with django_capture_on_commit_callbacks(execute=True):
        events.event_store("simulator", receipt("sent", now - dt.timedelta(minutes=5), "late"))
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert ProviderEvent.objects.get(event_id="late").outcome.startswith("older")


def test_the_same_event_is_stored_once(texting):
    raw = json.dumps({"data": {"id": "evt-1", "event_type": "message.finalized",
                               "payload": {"id": "nope"}}})
    assert events.event_store("telnyx", raw)[1] is True
    assert events.event_store("telnyx", raw)[1] is False
    assert ProviderEvent.objects.count() == 1


@pytest.mark.parametrize("raw", ["", "[]", "{}", '{"data": {"id": "x"}}',
                                 '{"data": {"event_type": "message.sent"}}', "not json"])
def test_bodies_that_are_not_events_are_refused(raw, db):
    with pytest.raises(events.BadEvent):
        events.event_store("telnyx", raw)
    assert not ProviderEvent.objects.exists()


@pytest.mark.parametrize(("local", "release"), [
    ("2026-12-01 20:59", None),
    ("2026-12-01 21:00", "2026-12-02 08:00"),
    ("2026-12-01 23:30", "2026-12-02 08:00"),
    ("2026-12-02 03:00", "2026-12-02 08:00"),
    ("2026-12-02 08:00", None),
    # The night clocks go back: still 08:00 local.
    ("2026-11-01 01:30", "2026-11-01 08:00"),
])
def test_quiet_hours_in_the_locations_time_zone(location, local, release):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(location.timezone)
    at = dt.datetime.fromisoformat(local).replace(tzinfo=zone)
    got = quiet_until(location, at)
    if release is None:
        assert got is None
    else:
        assert got == dt.datetime.fromisoformat(release).replace(tzinfo=zone)
        assert got.astimezone(zone).strftime("%H:%M") == "08:00"


def test_staff_see_each_texts_state_and_why(texting, claim, front_desk,
                                            django_capture_on_commit_callbacks):
    from claimory.backoffice.thread import staff_thread

    _send(claim, front_desk, "Sent one", django_capture_on_commit_callbacks)
    _receipts_now()
    consent_record(location=texting, phone=claim.customer.phone, status="out",
                   method="keyword", evidence="STOP", claim=claim)
    _send(claim, front_desk, "Blocked one", django_capture_on_commit_callbacks)
    copies = [b.copies for b in staff_thread(claim).bubbles]
    assert copies[0] == (("Text", "Delivered", "delivered", ""),)
    channel, label, state, why = copies[1][0]
    assert (label, state) == ("Not sent", "not_sent") and "STOP" in why


def test_the_opt_out_line_is_in_the_customers_language(texting, claim, front_desk,
                                                       django_capture_on_commit_callbacks):
    claim.customer.language = "es"
    claim.customer.save(update_fields=["language"])
    message = _send(claim, front_desk, "Su auto está listo.", django_capture_on_commit_callbacks)
    body = Delivery.objects.get(message=message).body
    assert body.endswith("\nResponda STOP para cancelar.") and "Reply STOP" not in body
