"""`POST /webhooks/telnyx`: only Telnyx-signed, fresh bodies are stored, each once, and the
receipts they carry move the delivery forward, never back."""

from __future__ import annotations

import base64
import datetime as dt
import time

import pytest

from claimory.core import durable
from claimory.messaging.models import Delivery, DeliveryState
from claimory.messaging.services import message_send
from claimory.sms.models import ProviderEvent
from tests.sms.fake_telnyx import FakeTelnyx

URL = "/webhooks/telnyx"


def _post(client, body: str | bytes, headers: dict[str, str]):
    return client.post(URL, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def sent(fake_telnyx, texting, claim, front_desk, django_capture_on_commit_callbacks):
    """A staff text that Telnyx accepted: (delivery, the fake's record of it)."""
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(claim=claim, body="Ready at 4.", actor=front_desk)
    delivery = Delivery.objects.get(message=message)
    return delivery, fake_telnyx.messages[0]


def test_a_signed_event_is_stored_once(fake_telnyx, client, db):
    body = fake_telnyx.event("message.sent", {"id": "m-1", "to": []}, event_id="ev-1")
    first = _post(client, body, fake_telnyx.signed(body))
    assert first.status_code == 200 and first.json()["status"] == "stored"
    again = _post(client, body, fake_telnyx.signed(body))
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    [row] = ProviderEvent.objects.all()
    assert (row.provider, row.event_id, row.event_type) == ("telnyx", "ev-1", "message.sent")
    assert row.raw == body


def _forged(fake: FakeTelnyx, body: str) -> dict[str, str]:
    return FakeTelnyx().signed(body)  # another key


def _tampered(fake: FakeTelnyx, body: str) -> dict[str, str]:
    return fake.signed(body.replace("m-1", "m-2"))


def _stale(fake: FakeTelnyx, body: str) -> dict[str, str]:
    return fake.signed(body, timestamp=int(time.time()) - 301)


def _future(fake: FakeTelnyx, body: str) -> dict[str, str]:
    return fake.signed(body, timestamp=int(time.time()) + 400)


def _missing(fake: FakeTelnyx, body: str) -> dict[str, str]:
    return {}


def _no_timestamp(fake: FakeTelnyx, body: str) -> dict[str, str]:
    return {"telnyx-signature-ed25519": fake.signed(body)["telnyx-signature-ed25519"]}


def _garbage(fake: FakeTelnyx, body: str) -> dict[str, str]:
    return {**fake.signed(body), "telnyx-signature-ed25519": "not base64!"}


def _short(fake: FakeTelnyx, body: str) -> dict[str, str]:
    return {**fake.signed(body),
            "telnyx-signature-ed25519": base64.b64encode(b"x" * 10).decode()}


def _other_timestamp(fake: FakeTelnyx, body: str) -> dict[str, str]:
    headers = fake.signed(body)
    return {**headers, "telnyx-timestamp": str(int(headers["telnyx-timestamp"]) - 1)}


@pytest.mark.parametrize("headers_for", [_forged, _tampered, _stale, _future, _missing,
                                         _no_timestamp, _garbage, _short, _other_timestamp])
def test_bad_or_stale_signatures_are_refused_and_nothing_is_stored(
        fake_telnyx, client, headers_for, db):
    body = fake_telnyx.event("message.sent", {"id": "m-1", "to": []})
    response = _post(client, body, headers_for(fake_telnyx, body))
    assert response.status_code == 401
    assert response.json()["error"]
    assert not ProviderEvent.objects.exists()


def test_the_signature_is_checked_before_the_database(fake_telnyx, client,
                                                      django_assert_num_queries, db):
    body = fake_telnyx.event("message.sent", {"id": "m-1", "to": []})
    with django_assert_num_queries(0):
        assert _post(client, body, _forged(fake_telnyx, body)).status_code == 401


def test_without_a_public_key_every_webhook_is_refused(fake_telnyx, client, settings, db):
    settings.TELNYX_PUBLIC_KEY = ""
    body = fake_telnyx.event("message.sent", {"id": "m-1", "to": []})
    response = _post(client, body, fake_telnyx.signed(body))
    assert response.status_code == 503 and "TELNYX_PUBLIC_KEY" in response.json()["error"]
    assert not ProviderEvent.objects.exists()


def test_a_signed_body_that_is_not_an_event_is_a_400(fake_telnyx, client, db):
    for body in ('{"data": {"payload": {}}}', "[1, 2]", "not json"):
        response = _post(client, body, fake_telnyx.signed(body))
        assert response.status_code == 400 and response.json()["error"]
    assert not ProviderEvent.objects.exists()


def test_a_huge_body_is_refused_unread(fake_telnyx, client, db):
    body = fake_telnyx.event("message.received", {"text": "x" * 300_000})
    response = _post(client, body, fake_telnyx.signed(body))
    assert response.status_code == 413
    assert not ProviderEvent.objects.exists()


def test_only_post(client, fake_telnyx, db):
    assert client.get(URL).status_code == 405


def test_receipts_move_the_delivery_to_delivered(sent, fake_telnyx, client,
                                                 django_capture_on_commit_callbacks):
    delivery, message = sent
    t0 = dt.datetime.now(dt.UTC)
    for status, at in (("sent", t0), ("delivered", t0 + dt.timedelta(seconds=3))):
        body = fake_telnyx.receipt(message, status, occurred_at=at)
        with django_capture_on_commit_callbacks(execute=True):
            assert _post(client, body, fake_telnyx.signed(body)).status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.finished_at
    assert ProviderEvent.objects.filter(state="processed").count() == 2


def test_receipts_out_of_order_keep_delivered(sent, fake_telnyx, client,
                                              django_capture_on_commit_callbacks):
    delivery, message = sent
    t0 = dt.datetime.now(dt.UTC)
    late_sent = fake_telnyx.receipt(message, "sent", occurred_at=t0)
    finalized = fake_telnyx.receipt(message, "delivered", occurred_at=t0 + dt.timedelta(seconds=5))
    for body in (finalized, late_sent):
        with django_capture_on_commit_callbacks(execute=True):
            assert _post(client, body, fake_telnyx.signed(body)).status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    states = [e.data["state"] for e in delivery.claim.events.filter(type="delivery")
              .order_by("seq")]
    assert states == ["sent", "delivered"]


def test_a_failed_receipt_says_why(sent, fake_telnyx, client, django_capture_on_commit_callbacks):
    delivery, message = sent
    body = fake_telnyx.receipt(message, "delivery_failed", errors=[
        {"code": "40008", "title": "Undeliverable", "detail": "The handset is unreachable."}])
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, body, fake_telnyx.signed(body))
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.error_code == "40008"
    assert "unreachable" in delivery.error_detail


def test_a_duplicate_receipt_is_applied_once(sent, fake_telnyx, client,
                                             django_capture_on_commit_callbacks):
    delivery, message = sent
    body = fake_telnyx.receipt(message, "delivered", event_id="ev-dup")
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert _post(client, body, fake_telnyx.signed(body)).status_code == 200
    assert ProviderEvent.objects.count() == 1
    assert delivery.claim.events.filter(type="delivery", data__state="delivered").count() == 1


def test_a_duplicate_inbound_text_lands_once(fake_telnyx, texting, claim, client,
                                             django_capture_on_commit_callbacks):
    pytest.importorskip("claimory.sms.inbound")  # inbound threading lands with its own work
    from claimory.messaging.models import Message

    body = fake_telnyx.inbound(from_number=claim.customer.phone, to_number=texting.sms_number,
                               text="Is it ready?", event_id="ev-in-1")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert _post(client, body, fake_telnyx.signed(body)).status_code == 200
    durable.run_due()
    assert ProviderEvent.objects.count() == 1
    assert Message.objects.filter(claim=claim, body="Is it ready?").count() == 1
