"""Signed but odd webhook bodies (QA): never a 500 in the request, never a crash in the
worker; an impossible date or a list where a status should be is just an outcome."""

from __future__ import annotations

import json

import pytest

from claimory.sms.events import event_process
from claimory.sms.models import EventState, ProviderEvent

URL = "/webhooks/telnyx"


def _post(client, fake, body: str):
    return client.post(URL, data=body, content_type="application/json",
                       headers=fake.signed(body))


def _body(event_type: str, payload, occurred_at="2026-12-01T15:04:05Z", event_id="ev-odd"):
    return json.dumps({"data": {"id": event_id, "event_type": event_type,
                                "occurred_at": occurred_at, "payload": payload}})


@pytest.mark.parametrize("occurred_at", ["2026-13-45T99:00:00Z", "2026-02-30T10:00:00Z",
                                         "2026-12-01T15:04:05", 12345, None, ["x"]])
def test_odd_occurred_at_is_stored_not_a_500(fake_telnyx, client, db, occurred_at):
    body = _body("message.sent", {"id": "m-1", "to": []}, occurred_at=occurred_at)
    response = _post(client, fake_telnyx, body)
    assert response.status_code in (200, 400)
    for row in ProviderEvent.objects.all():
        assert row.occurred_at is None or row.occurred_at.tzinfo is not None


@pytest.mark.parametrize("payload", [
    {"id": "m-1", "to": [{"status": ["delivered"]}]},
    {"id": "m-1", "to": [{"status": {"a": 1}}]},
    {"id": ["m-1"], "to": [{"status": "delivered"}]},
    {"id": "m-1", "to": "nope", "errors": "x"},
])
def test_odd_receipts_are_processed_without_crashing(fake_telnyx, client, db, payload,
                                                     django_capture_on_commit_callbacks):
    body = _body("message.finalized", payload)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, fake_telnyx, body).status_code == 200
    row = ProviderEvent.objects.get()
    event_process(row) if row.state != EventState.PROCESSED else None
    row.refresh_from_db()
    assert row.state == EventState.PROCESSED, row.last_error


MARIA, SHOP = {"phone_number": "+15125550142"}, [{"phone_number": "+15125550199"}]


@pytest.mark.parametrize("payload", [
    {"id": "t-1", "from": MARIA, "to": SHOP, "text": "hi", "received_at": "2026-02-30T10:00:00Z"},
    {"id": "t-2", "from": {"phone_number": ["+1512"]}, "to": [["x"]], "text": "hi"},
    {"id": "t-3", "from": MARIA, "to": SHOP, "text": "hi\x00\x1b[31m\u202e",
     "media": [{"url": None}, "x", {"url": "file:///etc/passwd"}]},
])
def test_odd_inbound_payloads_are_processed_without_crashing(
        fake_telnyx, client, location, payload, django_capture_on_commit_callbacks):
    location.sms_number = "+15125550199"
    location.save(update_fields=["sms_number"])
    body = _body("message.received", payload)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, fake_telnyx, body).status_code == 200
    row = ProviderEvent.objects.get()
    row.refresh_from_db()
    assert row.state == EventState.PROCESSED, row.last_error
